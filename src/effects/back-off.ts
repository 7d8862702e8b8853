// Slowing down repeated sign-in failures of one user against one definition: after a few
// refused tries, each further one locks sign-in for twice as long as the last, up to an hour.
import type { BackOffEvent } from '../runtime/metrics.js';
import type { Keyed } from '../stores/store.js';

const freeFailures = 3;
const firstPauseSeconds = 30;
const longestPauseSeconds = 3600;
const memorySeconds = 24 * 3600;

export interface BackOff {
  /** Seconds to wait before the next try, or 0. */
  wait(key: string, now: number): Promise<number>;
  failed(key: string, now: number): Promise<void>;
  succeeded(key: string): Promise<void>;
}

/** What a back-off value is, read from its keyed key: a count of failures or a pause, and under which failure key. */
export function readBackOffKey(key: string): { kind: 'failures' | 'pause'; failureKey: string } | undefined {
  if (key.startsWith('authfail:')) return { kind: 'failures', failureKey: key.slice('authfail:'.length) };
  if (key.startsWith('authwait:')) return { kind: 'pause', failureKey: key.slice('authwait:'.length) };
  return undefined;
}

/** `counted`: told of each pause imposed and each try that came during one (for /metrics). */
export function createBackOff(keyed: Keyed, counted: (event: BackOffEvent) => void = () => {}): BackOff {
  return {
    async wait(key, now) {
      const until = await keyed.get(`authwait:${key}`);
      const seconds = until === undefined ? 0 : Math.max(0, Math.ceil((Number(until) - now) / 1000));
      if (seconds > 0) counted('refused');
      return seconds;
    },
    async failed(key, now) {
      const count = await keyed.increment(`authfail:${key}`, memorySeconds);
      if (count < freeFailures) return;
      const pause = Math.min(firstPauseSeconds * 2 ** (count - freeFailures), longestPauseSeconds);
      await keyed.set(`authwait:${key}`, String(now + pause * 1000), pause);
      counted('paused');
    },
    async succeeded(key) {
      await Promise.all([keyed.delete(`authfail:${key}`), keyed.delete(`authwait:${key}`)]);
    },
  };
}
