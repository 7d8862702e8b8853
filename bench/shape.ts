// The one conversation both interpreters run: a greeting, three questions, a condition, an end.
// Four user messages make four turns; the replies each side must give are listed so that a
// benchmark that silently went wrong fails instead of reporting a fast wrong answer.

/** The shape as a Parley bot file. */
export const shapeBotText = JSON.stringify({
  format: 1,
  id: 'bench-shape',
  name: 'Benchmark shape',
  start: 'main',
  settings: { sessionTimeout: 900 },
  scripts: {
    main: {
      steps: [
        { type: 'message', text: 'Hello! Let us get you set up.' },
        { type: 'question', ask: 'What is your name?', save: 'name' },
        { type: 'question', ask: 'How old are you, {name}?', save: 'age', input: 'number', invalid: 'Please answer with a number.' },
        { type: 'question', ask: 'Which city do you live in?', save: 'city' },
        {
          type: 'condition',
          branches: [{ when: { var: 'age', op: 'ge', value: 18 }, goto: 'adult' }],
          else: 'minor',
        },
        { id: 'adult', type: 'end', text: 'Thanks {name}, you are all set in {city}.' },
        { id: 'minor', type: 'end', text: 'Thanks {name}, a grown-up in {city} will finish this.' },
      ],
    },
  },
});

/** What the user says, turn by turn; the first message only starts the conversation. */
export const shapeMessages = ['hi', 'Ada', '36', 'London'] as const;

/** The last reply of each turn. */
export const shapeLastReplies = [
  'What is your name?',
  'How old are you, Ada?',
  'Which city do you live in?',
  'Thanks Ada, you are all set in London.',
] as const;

export const turnsPerConversation = shapeMessages.length;
