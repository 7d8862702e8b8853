// A conversation that outlives a reload of its bot: where it was waiting, in the new version.
// Pure: the session notes the revision that wrote it and the id of the step it waits at, and
// this finds that step again. By id when the step had one (steps move when others are added
// before them); else at the same position, if the step there can take what the conversation
// waits for (a warning for the author, since that may be another step); else nowhere, and the
// conversation starts over with a plain sentence.
import { stepAt, type Bot, type Position } from '../bot/bot.js';
import type { Step } from '../bot/schema.js';
import type { Session, Wait } from './session.js';

export type Relocation =
  /** Written by this revision, or waiting nowhere: nothing to do. */
  | { kind: 'same' }
  /** Found: the session, at its place in this revision. `warning` when found by position only. */
  | { kind: 'moved'; session: Session; warning?: string }
  /** Its step is gone (or cannot take what it waits for): the conversation starts over. */
  | { kind: 'lost'; warning: string };

export function relocate(session: Session, bot: Bot): Relocation {
  if (bot.revision === undefined || session.revision === undefined || session.revision === bot.revision) return { kind: 'same' };
  const { at } = session;
  if (at === undefined) return { kind: 'moved', session: { ...session, revision: bot.revision } };
  const where = `${bot.source}: a conversation waiting at script "${at.script}" step ${at.step}${session.stepId === undefined ? '' : ` (id "${session.stepId}")`}`;
  const place = placeIn(session, at, session.stepId, bot);
  if (place.kind === 'id-gone') return { kind: 'lost', warning: `${where} was reloaded into a version without that step: it starts over` };
  if (place.kind !== 'found') return { kind: 'lost', warning: `${where} was reloaded into a version whose step there waits for something else: it starts over` };
  const moved = { ...place.session, revision: bot.revision };
  if (place.by === 'id') return { kind: 'moved', session: moved };
  return { kind: 'moved', session: moved, warning: `${where} was kept at the same position after a reload (the step has no id, so it may be another step now: give waiting steps ids)` };
}

/** Where a conversation waiting at `at` goes on in `bot`, or why it cannot. */
export type Place =
  | { kind: 'found'; session: Session; at: Position; by: 'id' | 'position' }
  /** No step of that script has the id any more. */
  | { kind: 'id-gone' }
  /** No step at that position any more. */
  | { kind: 'step-gone'; at: Position }
  /** The step found waits for something else than the conversation does. */
  | { kind: 'waits-for-else'; at: Position };

/**
 * The step a session waits at, found in `bot`: by `stepId` when the step had one (steps move
 * when others are added before them), else at the same position if the step there can take
 * what the conversation waits for. Shared by the server's reload (above) and the studio's.
 */
export function placeIn(session: Session, at: Position, stepId: string | undefined, bot: Bot): Place {
  let found: Position | undefined = at;
  if (stepId !== undefined) {
    found = bot.stepIndex.get(`${at.script}#${stepId}`);
    if (found === undefined) return { kind: 'id-gone' };
  }
  const step = stepAt(bot, found);
  if (step === undefined) return { kind: 'step-gone', at: found };
  if (!canTake(step, session.wait, bot)) return { kind: 'waits-for-else', at: found };
  const moved: Session = { ...session, at: found };
  if (session.retry !== undefined) {
    // The web service call to make again after signing in is the step waited at, moved alike.
    if (session.retry.script === at.script && session.retry.step === at.step) moved.retry = found;
    else if (stepAt(bot, session.retry)?.type !== 'webService') delete moved.retry;
  }
  return { kind: 'found', session: moved, at: found, by: stepId === undefined ? 'position' : 'id' };
}

/** Whether `step` can go on with what the conversation waits for. */
function canTake(step: Step, wait: Wait | undefined, bot: Bot): boolean {
  switch (wait?.kind) {
    case undefined:
      return true;
    case 'question':
      return step.type === 'question';
    case 'auth': {
      const definition = bot.authTokens[wait.token];
      return (step.type === 'authToken' || step.type === 'webService') && definition?.mode === 'credentials' && wait.ask < definition.questions.length;
    }
    // A sign-in by link, or the choice of an account: the same definition, still of that kind.
    case 'link': {
      const definition = bot.authTokens[wait.token];
      return (step.type === 'authToken' || step.type === 'webService') && definition !== undefined && definition.mode !== 'credentials';
    }
    case 'account':
      return (step.type === 'authToken' || step.type === 'webService') && bot.authTokens[wait.token]?.accounts === 'several';
    case 'effect':
      return false;
  }
}

/** The session as this revision writes it: the revision, and the id of the step it waits at. */
export function stamped(session: Session, bot: Bot): Session {
  if (bot.revision === undefined) return session;
  session.revision = bot.revision;
  const id = session.at === undefined ? undefined : stepAt(bot, session.at)?.id;
  if (id === undefined) delete session.stepId;
  else session.stepId = id;
  return session;
}
