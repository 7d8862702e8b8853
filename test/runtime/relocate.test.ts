// Where a conversation waits after its bot was reloaded: by step id, else by position when
// the step there can take the answer, else nowhere (it starts over).
import { describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { relocate, stamped } from '../../src/runtime/relocate.js';
import type { Session } from '../../src/runtime/session.js';
import { botOf } from '../support/conversation.js';

function version(revision: string, steps: unknown[], extra: Record<string, unknown> = {}): Bot {
  const bot = botOf({ format: 1, id: 'r', name: 'r', start: 'main', scripts: { main: { steps } }, ...extra }, 'r.json');
  bot.revision = revision;
  return bot;
}

const ask = (id?: string) => ({ ...(id === undefined ? {} : { id }), type: 'question', ask: 'Name?', save: 'name' });
const say = (text: string) => ({ type: 'message', text });
const end = { type: 'end', text: 'Bye.' };

/** A session written by `bot` while waiting at `step` of main. */
function waitingAt(bot: Bot, step: number): Session {
  return stamped({ vars: { kept: 'yes' }, seen: 1, at: { script: 'main', step }, wait: { kind: 'question', tries: 1 } }, bot);
}

describe('relocate', () => {
  it('does nothing for a session written by the same revision', () => {
    const v1 = version('v1', [ask('name'), end]);
    expect(relocate(waitingAt(v1, 0), v1)).toEqual({ kind: 'same' });
  });

  it('notes the revision and the waiting step\'s id when a session is written', () => {
    const v1 = version('v1', [say('Hi.'), ask('name'), end]);
    expect(waitingAt(v1, 1)).toMatchObject({ revision: 'v1', stepId: 'name' });
    expect(waitingAt(version('v1', [ask(), end]), 0).stepId).toBeUndefined();
  });

  it('finds a step by its id when steps were added before it, keeping what the conversation holds', () => {
    const v1 = version('v1', [ask('name'), end]);
    const v2 = version('v2', [say('Welcome!'), say('New here.'), ask('name'), end]);
    const moved = relocate(waitingAt(v1, 0), v2);
    expect(moved).toEqual({ kind: 'moved', session: expect.objectContaining({ at: { script: 'main', step: 2 }, revision: 'v2', vars: { kept: 'yes' }, wait: { kind: 'question', tries: 1 } }) });
    expect((moved as { warning?: string }).warning).toBeUndefined();
  });

  it('keeps a step without an id at its position, with a warning, when the step there is still a question', () => {
    const v1 = version('v1', [say('Hi.'), ask(), end]);
    const v2 = version('v2', [say('Hello.'), ask(), end]);
    const moved = relocate(waitingAt(v1, 1), v2);
    expect(moved).toMatchObject({ kind: 'moved', session: { at: { script: 'main', step: 1 } }, warning: expect.stringContaining('kept at the same position') });
  });

  it('loses a conversation whose step id is gone, or whose position now holds another kind of step', () => {
    const v1 = version('v1', [ask('name'), end]);
    expect(relocate(waitingAt(v1, 0), version('v2', [ask('other'), end]))).toMatchObject({ kind: 'lost', warning: expect.stringContaining('without that step') });
    const noIds = version('v1', [say('Hi.'), ask(), end]);
    expect(relocate(waitingAt(noIds, 1), version('v2', [say('Hi.'), say('Something else.'), end]))).toMatchObject({ kind: 'lost' });
    expect(relocate(waitingAt(noIds, 1), version('v2', [say('Hi.')]))).toMatchObject({ kind: 'lost' });
  });

  it('keeps a sign-in question only while its definition still asks that many questions', () => {
    const definitions = (questions: number) => ({
      authTokens: { acme: { url: 'https://auth.example/login', questions: Array.from({ length: questions }, (_, i) => ({ ask: `Q${i}?`, field: `f${i}` })), ttl: 60, tokenPath: 'token' } },
    });
    const v1 = version('v1', [{ id: 'login', type: 'authToken', token: 'acme' }, end], definitions(2));
    const session = stamped({ vars: {}, seen: 1, at: { script: 'main', step: 0 }, wait: { kind: 'auth', token: 'acme', ask: 1, tries: 0, answers: { f0: 'ada' } } }, v1);
    expect(relocate(session, version('v2', [say('Hi.'), { id: 'login', type: 'authToken', token: 'acme' }, end], definitions(2)))).toMatchObject({ kind: 'moved', session: { at: { step: 1 } } });
    expect(relocate(session, version('v3', [{ id: 'login', type: 'authToken', token: 'acme' }, end], definitions(1)))).toMatchObject({ kind: 'lost' });
  });
});
