// Where a conversation in progress goes on after the author saved the bot file: the step it
// waits at, in the new version, found as the server's reload finds it (placeIn,
// src/runtime/relocate.ts). The studio knows both versions, so the step's id comes from the one
// the conversation ran on. Pure.
import { stepAt, type Bot, type Position } from '../bot/bot.js';
import { placeIn } from '../runtime/relocate.js';
import type { Session } from '../runtime/session.js';

export type Relocation =
  /** Waiting nowhere (not started, or ended): nothing to move. */
  | { kind: 'nowhere' }
  /** Found; `how` says whether by id or by position (which may be another step now). */
  | { kind: 'kept'; session: Session; at: Position; how: 'id' | 'position' }
  /** Its step is gone, or waits for something else now: the conversation starts over. */
  | { kind: 'lost'; why: string };

export function relocate(session: Session, previous: Bot, next: Bot): Relocation {
  const { at } = session;
  if (at === undefined || session.ended === true) return { kind: 'nowhere' };
  const id = stepAt(previous, at)?.id;
  const place = placeIn(session, at, id, next);
  switch (place.kind) {
    case 'found':
      return { kind: 'kept', session: place.session, at: place.at, how: place.by };
    case 'id-gone':
      return { kind: 'lost', why: `step "${id}" of script "${at.script}" is gone` };
    case 'step-gone':
      return { kind: 'lost', why: `script "${at.script}" has no step ${at.step} any more` };
    case 'waits-for-else':
      return { kind: 'lost', why: `the step at ${place.at.script}#${place.at.step} no longer waits for what the conversation waits for` };
  }
}
