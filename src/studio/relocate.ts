// Where a conversation in progress goes on after the author saved the bot file: the step it
// waits at, in the new version. By the step's id when it has one (steps move when others are
// added before them), else at the same position if the step there can take what the
// conversation waits for; else nowhere, and the conversation starts over. Pure.
//
// The server's hot reload on the `production` branch does the same inside runTurn
// (src/runtime/relocate.ts there, with a revision stamped in each session); once it is merged
// the studio can use that and drop this file.
import { stepAt, type Bot, type Position } from '../bot/bot.js';
import type { Step } from '../bot/schema.js';
import type { Session, Wait } from '../runtime/session.js';

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
  let found: Position | undefined;
  if (id !== undefined) {
    found = next.stepIndex.get(`${at.script}#${id}`);
    if (found === undefined) return { kind: 'lost', why: `step "${id}" of script "${at.script}" is gone` };
  } else {
    found = at;
  }
  const step = stepAt(next, found);
  if (step === undefined) return { kind: 'lost', why: `script "${at.script}" has no step ${at.step} any more` };
  if (!canTake(step, session.wait, next)) return { kind: 'lost', why: `the step at ${found.script}#${found.step} no longer waits for what the conversation waits for` };
  const moved: Session = { ...session, at: found };
  if (session.retry !== undefined) {
    // The web service call to make again after signing in is the step waited at, moved alike.
    if (session.retry.script === at.script && session.retry.step === at.step) moved.retry = found;
    else if (stepAt(next, session.retry)?.type !== 'webService') delete moved.retry;
  }
  return { kind: 'kept', session: moved, at: found, how: id !== undefined ? 'id' : 'position' };
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
      return (step.type === 'authToken' || step.type === 'webService') && definition !== undefined && 'questions' in definition && wait.ask < definition.questions.length;
    }
    case 'link':
    case 'account':
      return (step.type === 'authToken' || step.type === 'webService') && bot.authTokens[wait.token] !== undefined;
    case 'effect':
      return false;
  }
}
