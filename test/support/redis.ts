// What test files need to use the redis-server started by ./redis-global-setup.ts.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The URL of the run's redis-server. */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/**
 * A key prefix no other test (file, worker or run) uses: files share one server and run in
 * parallel, and a prefix works on a Cluster too, where there is no SELECT.
 */
export function testKeyPrefix(label = 'test'): string {
  return `t-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A plain client for looking at what a store wrote; close it with `quit()`. */
export function rawRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
}

/** Every key that starts with `prefix` ('' for all), with its content flattened to text. */
export async function dumpKeys(client: Redis, prefix = ''): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 200);
    cursor = next;
    for (const key of keys) found.set(key, await contentOf(client, key));
  } while (cursor !== '0');
  return found;
}

async function contentOf(client: Redis, key: string): Promise<string> {
  switch (await client.type(key)) {
    case 'string':
      return (await client.get(key)) ?? '';
    case 'hash':
      return Object.entries(await client.hgetall(key)).flat().join('\n');
    case 'list':
      return (await client.lrange(key, 0, -1)).join('\n');
    case 'set':
      return (await client.smembers(key)).join('\n');
    case 'zset':
      return (await client.zrange(key, '0', '-1')).join('\n');
    default:
      return '';
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
