// Erasing everything kept about a user (DELETE /admin/users/:channel/:user, `parley admin
// erase`): conversations and what they keep (deliveries and their answers, replay marks,
// locks), tokens of every definition and scope, back-off counters, a call's scratch values.
// Every such key names the user (src/runtime/user-key.ts), so the store finds them all by it.
// Conversations are ended first, under their locks, so a turn running meanwhile is not left
// to write its session back after the erase.
import { linkRecordOf } from '../effects/pending-links.js';
import type { Store } from '../stores/store.js';
import type { OperatorUser } from './operator-user.js';
import { endConversation } from './reset.js';

/**
 * Keys that cannot name their user (a sign-in link's record is found by its state alone) have
 * a marker that does; each reader here says which key a user's marker stands for.
 */
const pointers: ReadonlyArray<(keyedKey: string) => string | undefined> = [linkRecordOf];

export interface Erased {
  /** Conversations that were under way. */
  conversations: number;
  /** Keys removed, conversations' sessions included. */
  keys: number;
}

export async function eraseUser(store: Store, user: OperatorUser): Promise<Erased> {
  const { sessions, keyed } = await store.users.find(user.keys);
  const ended = await Promise.all(sessions.map(({ conversation }) => endConversation(store, conversation)));
  const pointed = keyed.flatMap(({ key }) => pointers.map((read) => read(key)).filter((target): target is string => target !== undefined));
  const present = await Promise.all(pointed.map(async (key) => (await store.keyed.get(key)) !== undefined));
  await Promise.all(pointed.map((key) => store.keyed.delete(key)));
  const keys = await store.users.erase(user.keys);
  return { conversations: ended.filter(Boolean).length, keys: keys + ended.filter(Boolean).length + present.filter(Boolean).length };
}
