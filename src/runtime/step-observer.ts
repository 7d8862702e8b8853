// Who watches the interpreter walk: `parley test` learns which steps and ways out its tests
// reached. Production passes none, and a turn then costs one property read per step more.
import type { Position } from '../bot/bot.js';
import type { Step } from '../bot/schema.js';
import type { Next, StepEvent } from '../components/component.js';
import type { Session } from './session.js';
import type { User } from './turn.js';

/**
 * Called after each step ran, with what it was given and where it said to go. `session` is the
 * turn's draft, read during the call only: an observer keeps copies, never the object.
 */
export type StepObserver = (at: Position, step: Step, event: StepEvent, next: Next, session: Session, user: User) => void;
