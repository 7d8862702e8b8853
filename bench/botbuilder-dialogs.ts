// The same conversation built the way botbuilder's documentation builds it: a WaterfallDialog of
// TextPrompts over ConversationState on MemoryStorage, driven through a TestAdapter. Each user
// message is one processActivity; the replies are taken off the adapter's queue and checked.
import { ActivityTypes, ConversationState, MemoryStorage, TestAdapter, type Activity, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { RateOptions, RateResult } from './interpreter.js';
import { shapeLastReplies, shapeMessages, turnsPerConversation } from './shape.js';
import { collectGarbage, median } from './stats.js';

interface Answers {
  name?: string;
  age?: number;
  city?: string;
}

function buildBot(): (context: TurnContext) => Promise<void> {
  const state = new ConversationState(new MemoryStorage());
  const dialogState = state.createProperty('dialogState');
  const dialogs = new DialogSet(dialogState);
  dialogs.add(new TextPrompt('text'));
  // The age question takes numbers only, as Parley's `input: "number"` does.
  dialogs.add(
    new TextPrompt('number', async (prompt: PromptValidatorContext<string>) => {
      const text = prompt.recognized.value?.trim() ?? '';
      return text !== '' && Number.isFinite(Number(text));
    }),
  );
  dialogs.add(
    new WaterfallDialog('main', [
      async (step: WaterfallStepContext<Answers>) => {
        await step.context.sendActivity('Hello! Let us get you set up.');
        return step.prompt('text', 'What is your name?');
      },
      async (step: WaterfallStepContext<Answers>) => {
        step.options.name = step.result as string;
        return step.prompt('number', { prompt: `How old are you, ${step.options.name}?`, retryPrompt: 'Please answer with a number.' });
      },
      async (step: WaterfallStepContext<Answers>) => {
        step.options.age = Number(step.result);
        return step.prompt('text', 'Which city do you live in?');
      },
      async (step: WaterfallStepContext<Answers>) => {
        step.options.city = step.result as string;
        const { name, city, age = 0 } = step.options;
        await step.context.sendActivity(age >= 18 ? `Thanks ${name}, you are all set in ${city}.` : `Thanks ${name}, a grown-up in ${city} will finish this.`);
        return step.endDialog();
      },
    ]),
  );
  return async (context) => {
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog('main', {});
    await state.saveChanges(context);
  };
}

export async function measureBotbuilderTurns(options: RateOptions): Promise<RateResult> {
  const rates: number[] = [];
  for (let round = 0; round < options.warmupRounds + options.rounds; round += 1) {
    const adapter = new TestAdapter(buildBot());
    collectGarbage();
    const started = performance.now();
    for (let c = 0; c < options.conversations; c += 1) {
      for (let t = 0; t < shapeMessages.length; t += 1) {
        const activity: Partial<Activity> = {
          type: ActivityTypes.Message,
          text: shapeMessages[t]!,
          from: { id: `user-${c}`, name: `user-${c}` },
          conversation: { id: `conversation-${c}`, isGroup: false, conversationType: 'personal', name: '' },
        };
        await adapter.processActivity(activity);
        let last: string | undefined;
        for (let reply = adapter.getNextReply(); reply !== undefined; reply = adapter.getNextReply()) last = reply.text;
        if (last !== shapeLastReplies[t]) throw new Error(`botbuilder turn ${t} answered ${JSON.stringify(last)}, not ${JSON.stringify(shapeLastReplies[t])}`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    if (round >= options.warmupRounds) rates.push((options.conversations * turnsPerConversation) / seconds);
  }
  return { turnsPerRound: options.conversations * turnsPerConversation, rates, median: median(rates) };
}
