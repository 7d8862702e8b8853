// POST /twilio/voice: one phone call is one conversation. Every Twilio request here is either
// the call starting, an answer to step n, a silence at step n, or a return for a slow turn.
// A step's turn runs once (delivery = CallSid + step); silences and returns run nothing but
// read what the store keeps for the call.
import { Router, type IRouter } from 'express';
import { ParleyError } from '../../src/runtime/errors.js';
import type { Log } from '../../src/runtime/log.js';
import type { Prompt, TurnOutput, UserInput } from '../../src/runtime/turn.js';
import { signedTwilioForm, twilioAuthority, twilioReplayTtlSeconds, type TwilioSignatureSettings } from '../twilio/signature.js';
import { answerTwiml } from '../twilio/answer.js';
import { callTurn, parseCall, type InboundCall } from './inbound.js';
import { callTwiml, givingUpTwiml, holdTwiml, type VoiceSettings } from './outbound.js';
import type { RunTurn } from '../channel.js';
import { conversationKey } from '../../src/runtime/run-turn.js';

/** Small values with a TTL (the store's `keyed`). */
export interface CallScratch {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

export interface TwilioVoiceDeps {
  run: RunTurn;
  signature: TwilioSignatureSettings;
  scratch: CallScratch;
  /** Keys are per bot, as the store may be shared. */
  botId: string;
  voice: VoiceSettings;
  /** A caller hears silence meanwhile: shorter than Twilio's 15 s. */
  deadlineMs: number;
  log: Log;
}

// A late turn is kept until Twilio comes back for it; the last question for the whole call.
const lateTtlSeconds = 300;
// Twilio retries a step within the webhook's 15 s: its answer is kept a few minutes, not an hour.
const deliveryTtlSeconds = 120;
const promptTtlSeconds = 3600;
// Returns come every 2 to 3 s: about a minute and a half, longer than a turn may take.
const maxWaits = 40;

interface AskedQuestion {
  n: number;
  prompt: Prompt;
  /** The conversation's language when it was asked, to ask again (and give up) in it. */
  language?: string;
}

/** Adds the routes to `router` (the app itself, for one bot: a router layer less per request). */
export function twilioVoiceRoutes(deps: TwilioVoiceDeps, router: IRouter = Router()): IRouter {
  // Under the call's conversation key, which names the caller: an operator's erase finds them.
  const callKey = (call: InboundCall) => `voice:${deps.botId}:${conversationKey(callTurn(call, 0))}`;
  const promptKey = (call: InboundCall) => `${callKey(call)}:prompt`;
  const lateKey = (call: InboundCall, n: number) => `${callKey(call)}:late:${n}`;

  const askedLanguage = async (call: InboundCall): Promise<string | undefined> => {
    const stored = await deps.scratch.get(promptKey(call));
    return stored === undefined ? undefined : (JSON.parse(stored) as AskedQuestion).language;
  };

  /** Renders a finished turn for step `n`, remembering its question for a silence. */
  const answered = async (call: InboundCall, n: number, output: TurnOutput): Promise<string> => {
    if (output.prompt !== undefined && !output.ended) {
      const asked: AskedQuestion = { n: n + 1, prompt: output.prompt, ...(output.language === undefined ? {} : { language: output.language }) };
      await deps.scratch.set(promptKey(call), JSON.stringify(asked), promptTtlSeconds);
    }
    return callTwiml(output, n + 1, deps.voice);
  };

  const runStep = async (call: InboundCall, n: number, input?: UserInput): Promise<string> => {
    const late = async (rest: TurnOutput) => deps.scratch.set(lateKey(call, n), JSON.stringify(rest), lateTtlSeconds);
    const answer = await deps.run({ ...callTurn(call, n, input), deliveryTtlSeconds, replayTtlSeconds: twilioReplayTtlSeconds }, { deadlineMs: deps.deadlineMs, late });
    if (answer.continues === true) return holdTwiml(answer.replies, n, 0, deps.voice, answer.language);
    return answered(call, n, answer);
  };

  router.post('/twilio/voice', async (req, res) => {
    const call = parseCall(await signedTwilioForm(req, deps.signature), req.query, twilioAuthority(deps.signature));
    if (call === undefined) throw new ParleyError('bad-request', 'a Twilio call needs From and a CallSid of Twilio\'s form');
    const { moment } = call;
    let twiml: string;
    switch (moment.kind) {
      case 'start':
        twiml = await runStep(call, 0);
        break;
      case 'answer':
        twiml = await runStep(call, moment.n, moment.input);
        break;
      case 'silence': {
        const stored = await deps.scratch.get(promptKey(call));
        const asked = stored === undefined ? undefined : (JSON.parse(stored) as AskedQuestion);
        if (moment.times === 1 && asked !== undefined && asked.n === moment.n) {
          // Nothing new is said and nothing runs: the same question, once more.
          twiml = callTwiml({ replies: [], prompt: asked.prompt, ended: false, ...(asked.language === undefined ? {} : { language: asked.language }) }, moment.n, deps.voice, 2);
        } else {
          // Silent again: an empty answer, which the question counts as a wrong one.
          twiml = await runStep(call, moment.n, { text: '' });
        }
        break;
      }
      case 'wait': {
        const stored = await deps.scratch.get(lateKey(call, moment.n));
        if (stored !== undefined) twiml = await answered(call, moment.n, JSON.parse(stored) as TurnOutput);
        else if (moment.tries >= maxWaits) {
          deps.log.warn({ conversation: `phone:${call.callSid}`, step: moment.n }, 'a slow turn did not finish while the caller waited');
          twiml = givingUpTwiml(deps.voice, await askedLanguage(call));
        } else twiml = holdTwiml([], moment.n, moment.tries, deps.voice);
        break;
      }
    }
    answerTwiml(res, twiml);
  });
  return router;
}
