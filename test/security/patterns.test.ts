// Authors' patterns run in linear time: the worst known inputs for backtracking engines cannot
// hold a turn (they held one SMS turn 17.8 s on JavaScript's own engine).
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/create-engine.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { botOf, chatWith } from '../support/conversation.js';

const bot = botOf({
  format: 1,
  id: 'patterns',
  name: 'Patterns',
  start: 'main',
  scripts: {
    main: {
      steps: [
        { type: 'question', ask: 'Code?', save: 'code', pattern: '^(a+)+$', invalid: 'Not a code.', maxAttempts: 5 },
        { type: 'question', ask: 'Note?', save: 'note' },
        { type: 'condition', branches: [{ when: { var: 'note', op: 'matches', value: '^(x+x+)+y$' }, goto: 'yes' }], else: 'no' },
        { id: 'yes', type: 'end', text: 'Matched.' },
        { id: 'no', type: 'end', text: 'No match.' },
      ],
    },
  },
});

describe('catastrophic patterns', () => {
  it('answers a crafted answer to ^(a+)+$ and a crafted value for (x+x+)+y at once', async () => {
    const chat = chatWith(createEngine({ bot, store: createMemoryStore() }));
    await chat.send('hi');
    const started = performance.now();
    expect(await chat.send(`${'a'.repeat(5_000)}!`)).toEqual(['Not a code.', 'Code?']);
    expect(await chat.send('aaaa')).toEqual(['Note?']);
    expect(await chat.send('x'.repeat(5_000))).toEqual(['No match.']);
    // Backtracking would take longer than the age of the universe here; linear time takes milliseconds.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
