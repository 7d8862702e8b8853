// The fair lock of the Redis store, on the lock scripts.
import { randomBytes } from 'node:crypto';
import type { Locks } from '../store.js';
import type { Client } from './connect.js';

// A waiter renews its place in a lock queue at every poll; one not heard of for this long
// (crashed, or stuck) is dropped when it reaches the head, so it cannot block those behind it.
const WAITER_ALIVE_MS = 2_000;
const POLL_FIRST_MS = 2;
const POLL_MAX_MS = 10;

/**
 * A fair lock: waiters queue in a Redis list in the order their first call reached Redis, and
 * the head takes the lease when it is free. A holder that dies loses the lock when its lease
 * (PX ttl) runs out; a waiter that dies is dropped when it reaches the head and has not polled
 * for WAITER_ALIVE_MS. Waiting is polling with short sleeps.
 */
export function createRedisLocks(client: Client, prefix: string): Locks {
  return {
    async acquire(name, ttlMs, waitMs) {
      const { lease, queue, waiters } = lockKeys(prefix, name);
      const id = newOwner();
      const ttl = Math.max(1, Math.round(ttlMs));
      const release = Object.assign(
        async () => {
          await client.parleyLockRelease(lease, id);
        },
        { owner: id },
      );
      const deadline = Date.now() + waitMs;
      let enqueue: '1' | '0' = '1';
      let pause = POLL_FIRST_MS;
      try {
        for (;;) {
          const outcome = await client.parleyLockTry(lease, queue, waiters, id, ttl, WAITER_ALIVE_MS, enqueue);
          if (outcome === 1) return release;
          // -1: this process stalled long enough to be taken for dead; queue again.
          enqueue = outcome === -1 ? '1' : '0';
          if (Date.now() >= deadline) break;
          await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
          pause = Math.min(POLL_MAX_MS, pause * 1.5);
        }
      } catch (error) {
        await client.parleyLockCancel(queue, waiters, id).catch(() => undefined);
        throw error;
      }
      await client.parleyLockCancel(queue, waiters, id);
      return undefined;
    },
  };
}

export function lockKeys(prefix: string, name: string): { lease: string; queue: string; waiters: string } {
  const base = `${prefix}:{${name}}:lock:`;
  return { lease: `${base}o`, queue: `${base}q`, waiters: `${base}w` };
}

// A lock holder's id: this process's random prefix, so a holder in another process can never
// be mistaken for it, and a count, so no two holders here share one. (randomBytes on every
// turn cost about 4% of the server's CPU under load.)
const ownerPrefix = randomBytes(12).toString('base64url');
let ownersSoFar = 0;

export function newOwner(): string {
  ownersSoFar += 1;
  return `${ownerPrefix}.${ownersSoFar.toString(36)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
