// One store shared by several bots (BOT_DIR): each bot sees it through a scope of its own, so
// its conversations, locks, deliveries, tokens and keyed values can never meet another bot's,
// whatever ids their users have. Token and back-off keys already name the bot; conversations
// did not, and a user writing to two numbers of one server is two conversations.
import type { Store } from './store.js';

export function scopedStore(store: Store, scope: string): Store {
  const within = (name: string) => `${scope}/${name}`;
  const { sessions, tokens, locks, keyed, turns, users } = store;
  const unscoped = (name: string) => name.slice(scope.length + 1);
  // Spread first: a call added to the contract later still goes through (unscoped until named here).
  return {
    ...store,
    sessions: { ...sessions, get: (conversation) => sessions.get(within(conversation)) },
    tokens: {
      ...tokens,
      get: (key) => tokens.get(within(key)),
      set: (key, record, ttlSeconds) => tokens.set(within(key), record, ttlSeconds),
      delete: (key) => tokens.delete(within(key)),
    },
    locks: { ...locks, acquire: (name, ttlMs, waitMs) => locks.acquire(within(name), ttlMs, waitMs) },
    keyed: {
      ...keyed,
      get: (key) => keyed.get(within(key)),
      set: (key, value, ttlSeconds) => keyed.set(within(key), value, ttlSeconds),
      increment: (key, ttlSeconds) => keyed.increment(within(key), ttlSeconds),
      delete: (key) => keyed.delete(within(key)),
    },
    turns: {
      ...turns,
      begin: (conversation, options) => turns.begin(within(conversation), options),
      commit: (conversation, commit) => turns.commit(within(conversation), commit),
      abandon: (conversation, what) => turns.abandon(within(conversation), what),
      renew: (conversation, owner, ttlMs) => turns.renew(within(conversation), owner, ttlMs),
      delivery: (conversation, delivery) => turns.delivery(within(conversation), delivery),
    },
    // This bot's keys only, named as the bot names them.
    users: {
      find: async (wanted) => {
        const found = await users.find(wanted, scope);
        return {
          sessions: found.sessions.map((entry) => ({ ...entry, conversation: unscoped(entry.conversation) })),
          tokens: found.tokens.map((entry) => ({ ...entry, key: unscoped(entry.key) })),
          keyed: found.keyed.map((entry) => ({ ...entry, key: unscoped(entry.key) })),
          others: found.others,
        };
      },
      erase: (wanted) => users.erase(wanted, scope),
    },
    // Closed once, by whoever opened the shared store.
    close: async () => {},
  };
}
