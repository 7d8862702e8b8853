// Ending a user's conversations so the next message starts over (DELETE
// /admin/conversations/:channel/:user, `parley admin reset`). Each is ended as a turn would end
// it: under the conversation's lock, so a turn running meanwhile finishes first (or, past the
// wait, finds its session gone and is not saved), and the next message finds no session.
import type { Store } from '../stores/store.js';
import type { OperatorUser } from './operator-user.js';

/** As long as a turn may hold its lock between renewals, and a little more. */
const lockTtlMs = 10_000;
const lockWaitMs = 10_000;

/** Resolves to how many conversations were ended. */
export async function resetUser(store: Store, user: OperatorUser): Promise<number> {
  const { sessions } = await store.users.find(user.keys);
  const ended = await Promise.all(sessions.map(({ conversation }) => endConversation(store, conversation)));
  return ended.filter(Boolean).length;
}

export async function endConversation(store: Store, conversation: string): Promise<boolean> {
  const release = await store.locks.acquire(conversation, lockTtlMs, lockWaitMs);
  try {
    const current = await store.sessions.get(conversation);
    if (current === undefined) return false;
    return await store.turns.commit(conversation, { expected: current.version, session: 'delete' });
  } finally {
    await release?.();
  }
}
