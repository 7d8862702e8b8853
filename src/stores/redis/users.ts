// What the Redis store keeps about a user, found by SCAN over every master (one server, or each
// master of a Cluster: a user's keys lie in many slots). SCAN walks the keyspace a page at a
// time without blocking Redis; the pattern narrows it to keys holding the user's channel and
// id, and namesUser decides. An operator's tool: it costs a walk of the whole store.
import { Cluster } from 'ioredis';
import type { Client } from './connect.js';
import { openTokenRecord, type Cipher } from '../cipher.js';
import type { UserData, UserRecords } from '../store.js';
import { namesUser, scanPattern } from '../user-match.js';

const scanPage = 1000;

export function createRedisUsers(client: Client, prefix: string, cipher: Cipher | undefined): UserRecords {
  const sessionKey = new RegExp(`^${escapeRegex(prefix)}:\\{([^}]*)\\}:s$`);
  const tokenPrefix = `${prefix}:t:`;
  const keyedPrefix = `${prefix}:k:`;

  const keysNaming = async (users: readonly string[], scope: string | undefined): Promise<string[]> => {
    if (users.length === 0) return [];
    const names = namesUser(users, scope);
    const found = await scan(client, scanPattern(prefix, users));
    return found.filter((key) => names(key.slice(prefix.length + 1)));
  };

  return {
    async find(users, scope) {
      const found: UserData = { sessions: [], tokens: [], keyed: [], others: 0 };
      await Promise.all(
        (await keysNaming(users, scope)).map(async (key) => {
          const conversation = sessionKey.exec(key)?.[1];
          const kind = conversation !== undefined ? 'session' : key.startsWith(tokenPrefix) ? 'token' : key.startsWith(keyedPrefix) ? 'keyed' : 'other';
          if (kind === 'other') {
            found.others++;
            return;
          }
          const [value, ttlMs] = await Promise.all([client.get(key), client.pttl(key)]);
          // Gone since the scan saw it.
          if (value === null) return;
          const expiresInSeconds = ttlMs >= 0 ? ttlMs / 1000 : Number.POSITIVE_INFINITY;
          if (kind === 'session') {
            const bar = value.indexOf('|');
            found.sessions.push({ conversation: conversation!, session: { version: Number(value.slice(0, bar)), value: value.slice(bar + 1) }, expiresInSeconds });
          } else if (kind === 'token') {
            found.tokens.push({ key: key.slice(tokenPrefix.length), account: openTokenRecord(value, cipher)?.account, expiresInSeconds });
          } else {
            found.keyed.push({ key: key.slice(keyedPrefix.length), value, expiresInSeconds });
          }
        }),
      );
      return found;
    },
    async erase(users, scope) {
      // One key at a time: on a Cluster the keys lie in different slots, which one DEL cannot span.
      const deleted = await Promise.all((await keysNaming(users, scope)).map((key) => client.del(key)));
      return deleted.reduce((sum, count) => sum + count, 0);
    },
  };
}

/** Every key matching `pattern`, on every master. */
async function scan(client: Client, pattern: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const keys = new Set<string>();
  await Promise.all(
    nodes.map(async (node) => {
      let cursor = '0';
      do {
        const [next, page] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', scanPage);
        cursor = next;
        for (const key of page) keys.add(key);
      } while (cursor !== '0');
    }),
  );
  return [...keys];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
