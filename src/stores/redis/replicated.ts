// Writes that must survive a Cluster failover: a turn's claim and its answer.
import type { Cluster } from 'ioredis';
import { hashSlot } from '../hash-slot.js';
import type { Scripts } from './scripts.js';

/** Sends a write that must survive a failover; `key` names its slot. */
export type Durably = <T>(key: string, send: (target: Scripts) => Promise<T>) => Promise<T>;

// Redis replicates asynchronously: a master that answered a write and died before its replica
// had it takes the write with it, and the promoted replica never saw it. For a turn's claim that
// means a retried message runs again (and calls the sign-in service again) while the first run
// is still going. So on a Cluster the claim is followed by WAIT 1, sent in the same pipeline to
// the same master (WAIT counts this connection's writes): one round trip, answered once the
// replica acknowledged (about a network round trip more) or after `ackWithinMs`. A slot whose
// master has no replica (it lost it in a failover) is written without WAIT, which could only
// time out. What remains: a claim whose WAIT timed out (replica lagging, or cut off and not yet
// marked failed) can still be lost, and so can anything when master and replica die together.
export function replicated(client: Cluster & Scripts, ackWithinMs: number, log: { warn(message: string): void } | undefined): Durably {
  type Sent<T> = { ok: true; value: T; acks: number } | { ok: false; error: unknown };
  const withWait = async <T>(send: (target: Scripts) => Promise<T>): Promise<Sent<T>> => {
    const pipeline = client.pipeline();
    // On a pipeline the script only queues (and returns the pipeline, not a promise).
    void send(pipeline as unknown as Scripts);
    pipeline.wait(1, ackWithinMs);
    try {
      const [sent, waited] = (await pipeline.exec()) ?? [];
      if (sent === undefined || sent[0] !== null) return { ok: false, error: sent?.[0] };
      // The connection closed (or the master stepped down) after the write: it may be lost.
      if (waited === undefined || waited[0] !== null) return { ok: false, error: waited?.[0] };
      return { ok: true, value: sent[1] as T, acks: Number(waited[1]) };
    } catch (error) {
      return { ok: false, error };
    }
  };
  const hasReplica = (key: string) => (client.slots[hashSlot(key)]?.length ?? 0) > 1;
  const unconfirmed = (key: string) => log?.warn(`no replica confirmed a write to ${key} within ${ackWithinMs} ms: a failover now could lose it`);

  return async (key, send) => {
    if (!hasReplica(key)) return send(client);
    const first = await withWait(send);
    if (first.ok) {
      if (first.acks < 1) unconfirmed(key);
      return first.value;
    }
    // The budget for this failover is spent: do not start another.
    if (first.error instanceof Error && first.error.message.startsWith('Too many Cluster redirections')) throw first.error;
    // A failover or a slot move is under way. The plain command rides it out (ioredis retries,
    // then follows the slot to its new master) and tells what holds there now; the scripts are
    // safe to run twice. Then the write is confirmed on a replica of that master, if it has one.
    const value = await send(client);
    if (hasReplica(key)) {
      const again = await withWait(send);
      if (!again.ok || again.acks < 1) unconfirmed(key);
    }
    return value;
  };
}
