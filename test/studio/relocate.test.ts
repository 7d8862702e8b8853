// Where a conversation goes on after the studio reloads the bot file: by step id, else at the
// same position when the step there can take what the conversation waits for, else nowhere.
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/runtime/session.js';
import { relocate } from '../../src/studio/relocate.js';
import { botOf } from '../support/conversation.js';

type Steps = Array<Record<string, unknown>>;
const bot = (steps: Steps) => botOf({ format: 1, id: 'reload', name: 'Reload', start: 'main', scripts: { main: { steps } } });
const ask = (id?: string) => ({ ...(id && { id }), type: 'question', ask: 'Your name?', save: 'name' });
const waiting = (step: number): Session => ({ at: { script: 'main', step }, wait: { kind: 'question', tries: 1 }, vars: { kept: 'yes' }, seen: 1 });

describe('relocating a conversation after a reload', () => {
  it('finds a step with an id where it moved, keeping what the conversation holds', () => {
    const before = bot([ask('name'), { type: 'end', text: 'Bye {name}.' }]);
    const after = bot([{ type: 'message', text: 'Hello.' }, ask('name'), { type: 'end', text: 'Bye {name}.' }]);
    const moved = relocate(waiting(0), before, after);
    expect(moved).toMatchObject({ kind: 'kept', how: 'id', at: { script: 'main', step: 1 }, session: { wait: { kind: 'question', tries: 1 }, vars: { kept: 'yes' } } });
  });

  it('keeps a step without an id at its position when the step there waits for the same thing', () => {
    const before = bot([ask(), { type: 'end', text: 'Bye.' }]);
    const after = bot([{ ...ask(), ask: 'What is your name?' }, { type: 'end', text: 'Bye.' }]);
    expect(relocate(waiting(0), before, after)).toMatchObject({ kind: 'kept', how: 'position', at: { step: 0 } });
  });

  it('starts over when the step is gone, or the step at its position waits for something else', () => {
    const before = bot([ask('name'), { type: 'end', text: 'Bye.' }]);
    expect(relocate(waiting(0), before, bot([ask('other'), { type: 'end', text: 'Bye.' }]))).toMatchObject({ kind: 'lost', why: 'step "name" of script "main" is gone' });
    const unnamed = bot([ask(), { type: 'end', text: 'Bye.' }]);
    expect(relocate(waiting(0), unnamed, bot([{ type: 'message', text: 'Hi.' }, ask()]))).toMatchObject({ kind: 'lost' });
    expect(relocate(waiting(1), bot([{ type: 'message', text: 'Hi.' }, ask()]), bot([ask()]))).toMatchObject({ kind: 'lost', why: 'script "main" has no step 1 any more' });
  });

  it('has nothing to move in a conversation that waits nowhere', () => {
    const any = bot([ask(), { type: 'end', text: 'Bye.' }]);
    expect(relocate({ vars: {}, seen: 1 }, any, any)).toEqual({ kind: 'nowhere' });
    expect(relocate({ ...waiting(0), ended: true }, any, any)).toEqual({ kind: 'nowhere' });
  });
});
