// A store whose every call is timed and whose failures are counted, for /metrics: an operator
// sees Redis slow down or fail before users do. The calls go through unchanged.
import type { Store } from './store.js';

export type StoreCallObserver = (operation: string, seconds: number, failed: boolean) => void;

export function instrumentedStore(store: Store, observe: StoreCallObserver): Store {
  const timed =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        const result = await call(...args);
        observe(operation, (performance.now() - started) / 1000, false);
        return result;
      } catch (error) {
        observe(operation, (performance.now() - started) / 1000, true);
        throw error;
      }
    };
  const { sessions, tokens, locks, keyed, turns } = store;
  // Spread first: a call added to the contract later still goes through, untimed until named here.
  const wrapped: Store = {
    ...store,
    sessions: { ...sessions, get: timed('sessions.get', sessions.get.bind(sessions)) },
    tokens: { ...tokens, get: timed('tokens.get', tokens.get.bind(tokens)), set: timed('tokens.set', tokens.set.bind(tokens)), delete: timed('tokens.delete', tokens.delete.bind(tokens)) },
    // Waiting for a lock is not store latency (lock waits have a metric of their own): only failures count.
    locks: {
      ...locks,
      acquire: async (name, ttlMs, waitMs) => {
        try {
          return await locks.acquire(name, ttlMs, waitMs);
        } catch (error) {
          observe('locks.acquire', 0, true);
          throw error;
        }
      },
    },
    keyed: {
      ...keyed,
      get: timed('keyed.get', keyed.get.bind(keyed)),
      set: timed('keyed.set', keyed.set.bind(keyed)),
      increment: timed('keyed.increment', keyed.increment.bind(keyed)),
      delete: timed('keyed.delete', keyed.delete.bind(keyed)),
    },
    turns: {
      ...turns,
      begin: timed('turns.begin', turns.begin.bind(turns)),
      commit: timed('turns.commit', turns.commit.bind(turns)),
      abandon: timed('turns.abandon', turns.abandon.bind(turns)),
      renew: timed('turns.renew', turns.renew.bind(turns)),
      delivery: timed('turns.delivery', turns.delivery.bind(turns)),
    },
    ping: timed('ping', store.ping.bind(store)),
  };
  return wrapped;
}
