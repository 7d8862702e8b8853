// The studio's one conversation and everything the page shows about it. Turns run on the
// engine production runs (createEngine, runTurn, resumeConversation) over the memory store;
// what the bot says is put in words by the channels' own preview (channels/preview.ts). The
// bot file is watched: a save that loads gives a new engine, and the conversation keeps its
// place (relocate.ts) or starts over; a save that does not load keeps the last good version.
import { resolve } from 'node:path';
import { previewLines } from '../../channels/preview.js';
import { buttonChoices } from '../../channels/choices.js';
import { botWords } from '../runtime/phrasebook.js';
import { observeCalls, type ObservedCall } from '../cli/call-log.js';
import { consoleLog } from '../cli/console-log.js';
import { createEngine } from '../create-engine.js';
import { cachedAccounts } from '../effects/token-cache.js';
import { svgOf } from '../graph/svg.js';
import { stepId } from '../graph/flow.js';
import { maskValues, type Outbound } from '../http/outbound.js';
import type { Engine } from '../runtime/engine.js';
import { conversationKey, lockTtlMs, runTurn } from '../runtime/run-turn.js';
import { newSession, type Session } from '../runtime/session.js';
import type { ChannelId, ReplyAddress, TurnOutput, User, UserInput } from '../runtime/turn.js';
import { createEphemeralCipher, type Cipher } from '../stores/cipher.js';
import { createMemoryStore } from '../stores/memory-store.js';
import type { Store } from '../stores/store.js';
import { BotFile, type Change, type GoodVersion } from './bot-file.js';
import { relocate } from './relocate.js';
import { realServices, type Services } from './services.js';
import { problemsView, signInView, variablesView, type Entry, type PromptView, type Snapshot, type Where } from './state.js';

/** Where a resumed conversation's replies go: back to this page. */
const studioAddress: ReplyAddress = { kind: 'studio' };
/** Channels whose choices are buttons or quick replies rather than text. */
const buttonChannels: ReadonlySet<ChannelId> = new Set(['whatsapp', 'messenger', 'web']);
export const channelNames: Record<ChannelId, string> = { sms: 'SMS', whatsapp: 'WhatsApp', messenger: 'Messenger', phone: 'Phone', web: 'Web chat' };
const dots = '••••••';
const keptCalls = 200;
const keptEntries = 500;

export interface WorkbenchOptions {
  file: BotFile;
  services: Services;
  /** The settings' `{secret.*}` values (BOT_SECRET_*). */
  secrets: Readonly<Record<string, string>>;
  channel?: ChannelId;
  /** This studio's own URL: PUBLIC_URL for sign-in links. */
  publicUrl: () => string;
  /** The engine's warnings and each call, as `parley chat` prints them (standard error). */
  write?: (text: string) => void;
}

export class Workbench {
  readonly #file: BotFile;
  readonly #services: Services;
  readonly #settingsSecrets: Readonly<Record<string, string>>;
  readonly #publicUrl: () => string;
  readonly #write: (text: string) => void;
  readonly #store: Store = createMemoryStore();
  // One cipher for every engine: a secret answer sealed before a reload opens after it.
  readonly #cipher: Cipher = createEphemeralCipher();
  /** Values never to show: secrets, tokens and secret answers the engine named in its calls. */
  readonly #masked = new Set<string>();
  readonly #listeners = new Set<() => void>();
  readonly #svgs = new Map<number, string>();
  #engine: Engine | undefined;
  /** The version the engine and the page run: the file's last good one once its flow is laid out. */
  #applied: GoodVersion | undefined;
  #servicesChosen = realServices.id;
  #outbound: Outbound;

  #channel: ChannelId;
  #userNumber = 1;
  #conversationNumber = 0;
  #callOpen = false;
  #prompt: PromptView | undefined;
  #transcript: Entry[] = [];
  #nextEntry = 1;
  #calls: ObservedCall[] = [];
  #log: string[] = [];
  #trail: string[] = [];
  #session: Session | undefined;
  /** The variables as the last step run left them: what the page shows once a conversation ended (its session is gone). */
  #lastVars: Session['vars'] | undefined;
  #accounts: Snapshot['signIn']['accounts'] = [];
  #busy = false;
  #serial: Promise<unknown> = Promise.resolve();

  constructor(options: WorkbenchOptions) {
    this.#file = options.file;
    this.#services = options.services;
    this.#settingsSecrets = options.secrets;
    this.#publicUrl = options.publicUrl;
    this.#write = options.write ?? (() => undefined);
    this.#channel = options.channel ?? 'sms';
    this.#outbound = this.#services.outbound(this.#servicesChosen);
    for (const value of Object.values(options.secrets)) this.#masked.add(value);
    this.#file.onChange((change) => this.#changed(change));
  }

  /** Told after every change the page should show. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The engine of the last good version (auth routes finish sign-ins on it). */
  get engine(): Engine | undefined {
    return this.#engine;
  }

  /** The flow of a good version, laid out once per version. */
  flow(version: number): string | undefined {
    return this.#svgs.get(version);
  }

  /** The file's text: as last saved (`current`), or of the version the graph shows (`good`). */
  text(which: 'current' | 'good'): string {
    return which === 'good' ? (this.#applied?.source.text ?? '') : this.#file.state.text;
  }

  // --- what the page asks for -------------------------------------------------------------

  /** The user sends a message, or taps a choice (`choice`: its value). */
  send(text: string, choice?: string): Promise<void> {
    return this.#exclusive(async () => {
      const engine = this.#engine;
      if (engine === undefined) {
        this.#note('The bot file does not load yet: fix the problems listed under Problems and save it.');
        this.#emit();
        return;
      }
      if (this.#channel === 'phone' && !this.#callOpen) await this.#dial(engine, true);
      const secret = this.#prompt?.secret === true;
      const keys = this.#channel === 'phone' && /^[0-9*#]+$/.test(text.trim());
      // A secret answer is never echoed, nor kept: only dots reach the transcript.
      this.#push({ from: 'user', text: secret ? dots : text, ...(secret && { masked: true }), ...(keys && { keys: true }) });
      const input: UserInput = choice === undefined ? { text: keys ? text.trim() : text, keypad: keys } : { text, choice };
      await this.#turn(engine, input);
    });
  }

  /** A new conversation on `channel` (the same user: what they signed in to stays signed in). */
  setChannel(channel: ChannelId): Promise<void> {
    return this.#exclusive(async () => {
      this.#channel = channel;
      await this.#newConversation();
    });
  }

  setServices(id: string): Promise<void> {
    return this.#exclusive(async () => {
      if (!this.#services.choices.some((choice) => choice.id === id)) return;
      this.#servicesChosen = id;
      this.#rebuildEngine();
      await this.#newConversation();
    });
  }

  /** A new conversation; with `newUser`, as a user who never signed in. */
  restart(newUser: boolean): Promise<void> {
    return this.#exclusive(async () => {
      if (newUser) this.#userNumber += 1;
      await this.#newConversation();
    });
  }

  /** On the phone, after a hang-up: call again. */
  call(): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#engine === undefined || this.#channel !== 'phone' || this.#callOpen) return;
      await this.#dial(this.#engine, true);
      await this.#refresh();
    });
  }

  /** Loads the file, and starts the first conversation once a version loads. */
  async open(): Promise<void> {
    await this.#file.load();
  }

  async close(): Promise<void> {
    this.#file.close();
    await this.#engine?.inFlight.drain(2_000);
    await this.#store.close();
  }

  snapshot(): Snapshot {
    const state = this.#file.state;
    const good = this.#applied;
    const at = this.#session?.at;
    let where: Where | undefined;
    if (at !== undefined && good !== undefined && this.#session?.ended !== true) {
      const step = good.bot.scripts[at.script]?.steps[at.step];
      if (step !== undefined) where = { step: stepId(at), type: step.type, location: locationOf(good, at.script, at.step) };
    }
    const masked = [...this.#masked];
    return {
      bot: good === undefined ? undefined : { name: good.bot.name, file: this.#file.path, path: resolve(this.#file.path), version: good.version },
      refused: state.good === undefined || state.problems.some((p) => p.severity === 'error'),
      problems: problemsView(state.problems),
      notes: this.#services.notes,
      channel: this.#channel,
      user: this.#user().id,
      services: { choices: this.#services.choices, chosen: this.#servicesChosen },
      transcript: this.#transcript,
      prompt: this.#prompt,
      call: this.#channel === 'phone' ? (this.#callOpen ? 'open' : 'ended') : undefined,
      busy: this.#busy,
      at: where,
      trail: this.#trail,
      variables: variablesView(this.#session?.vars ?? this.#lastVars, masked),
      signIn: good === undefined ? { answers: [], accounts: [] } : signInView(this.#session, good.bot, this.#accounts),
      calls: this.#calls,
      log: this.#log,
      locations: good === undefined ? {} : locationsOf(good),
    };
  }

  // --- the conversation -------------------------------------------------------------------

  #user(): User {
    const n = this.#userNumber;
    const channel = this.#channel;
    if (channel === 'sms' || channel === 'whatsapp' || channel === 'phone') {
      const phone = `+1555010${String(n).padStart(4, '0')}`;
      return { id: phone, channel, via: 'console', phone };
    }
    return { id: `studio-user-${n}`, channel, via: 'console' };
  }

  /** Each conversation has an id of its own: a new one starts with no session. */
  #target(): { user: User; conversation: string } {
    const user = this.#user();
    const conversation = this.#channel === 'phone' ? `phone:studio-call-${this.#conversationNumber}` : `${this.#channel}:${user.id}:${this.#conversationNumber}`;
    return { user, conversation };
  }

  async #newConversation(): Promise<void> {
    this.#conversationNumber += 1;
    this.#transcript = [];
    this.#calls = [];
    this.#log = [];
    this.#trail = [];
    this.#lastVars = undefined;
    this.#prompt = undefined;
    this.#callOpen = false;
    // Stand-ins count their uses per conversation, as a test's do.
    this.#outbound = this.#services.outbound(this.#servicesChosen);
    const user = this.#user();
    this.#note(`A new conversation on ${channelNames[this.#channel]}, as ${user.id === user.phone ? `the number ${user.id}` : `user ${user.id}`}.`);
    if (this.#engine !== undefined && this.#channel === 'phone') await this.#dial(this.#engine, false);
    await this.#refresh();
  }

  /** The phone rings: the bot speaks first. `again`: a call after a hang-up is a new conversation. */
  async #dial(engine: Engine, again: boolean): Promise<void> {
    if (again) {
      this.#conversationNumber += 1;
      this.#trail = [];
      this.#lastVars = undefined;
    }
    this.#note(`Calling ${engine.bot.name}…`);
    this.#callOpen = true;
    await this.#turn(engine, undefined);
  }

  async #turn(engine: Engine, input: UserInput | undefined): Promise<void> {
    this.#busy = true;
    this.#trail = [];
    this.#emit();
    try {
      const target = this.#target();
      const output = await runTurn(engine, input === undefined ? { ...target, address: studioAddress } : { ...target, input, address: studioAddress });
      this.#heard(output);
    } finally {
      this.#busy = false;
    }
    await this.#refresh();
  }

  /** What the bot said, as the channel shows it. */
  #heard(output: TurnOutput): void {
    const channel = this.#channel;
    const prompt = output.prompt;
    const buttons = prompt !== undefined && buttonChannels.has(channel) && this.#engine !== undefined ? buttonChoices(prompt, botWords(this.#engine.bot.settings)(output.language)) : [];
    // Where choices are buttons, the prompt's text is the message and the buttons come after it.
    const shown: TurnOutput = { ...output, ended: false, ...(prompt !== undefined && buttons.length > 0 && { prompt: { ...prompt, choices: [] } }) };
    for (const line of previewLines(shown, channel)) this.#push({ from: 'bot', text: this.#mask(line), ...(channel === 'phone' && { speech: true }) });
    if (output.ended) {
      this.#prompt = undefined;
      if (channel === 'phone') {
        this.#callOpen = false;
        this.#note('The call ended. Call again, or type or key anything to call again.');
      } else this.#note('The conversation ended: the next message starts a new one.');
    } else if (prompt === undefined) {
      this.#prompt = undefined;
    } else {
      this.#prompt = {
        ...(buttons.length > 0 && { buttons }),
        secret: prompt.secret,
        keypadOnly: channel === 'phone' && (prompt.keypad || prompt.input === 'digits'),
        ...(prompt.numDigits !== undefined && { numDigits: prompt.numDigits }),
      };
    }
  }

  /** Reads what the page shows of the session: where it is, its variables, who is signed in. */
  async #refresh(): Promise<void> {
    const engine = this.#engine;
    if (engine === undefined) {
      this.#emit();
      return;
    }
    const target = this.#target();
    const key = conversationKey(target);
    const stored = await this.#store.sessions.get(key);
    this.#session = stored === undefined ? undefined : (JSON.parse(stored.value) as Session);
    const { bot } = engine;
    const session = this.#session ?? newSession(Date.now());
    const accounts: Snapshot['signIn']['accounts'] = [];
    for (const [id, definition] of Object.entries(bot.authTokens)) {
      const names = await cachedAccounts({ store: this.#store, sealer: this.#cipher }, { bot, user: target.user, conversation: key, session }, id, definition);
      if (names.length > 0) accounts.push({ definition: id, names: names.map((name) => this.#mask(name)) });
    }
    this.#accounts = accounts;
    this.#emit();
  }

  // --- the engine and reloads -------------------------------------------------------------

  #rebuildEngine(): void {
    const good = this.#file.state.good;
    if (good === undefined) return;
    this.#applied = good;
    const { bot } = good;
    const testSecrets = this.#services.secrets(this.#servicesChosen);
    for (const value of Object.values(testSecrets)) this.#masked.add(value);
    const outbound = observeCalls((request, purpose) => this.#outbound(request, purpose), {
      bot,
      allowPrivate: true,
      record: (call, purpose) => {
        for (const value of purpose.masked) this.#masked.add(value);
        this.#calls = [...this.#calls, call].slice(-keptCalls);
        this.#write(`call  ${call.method} ${call.url} → ${call.outcome}, ${call.ms} ms (${call.subject})\n`);
        this.#emit();
      },
    });
    const log = consoleLog((text) => {
      this.#write(text);
      this.#log = [...this.#log, this.#mask(text.trimEnd())].slice(-50);
    });
    const engine = createEngine({
      bot,
      store: this.#store,
      secrets: { ...this.#settingsSecrets, ...testSecrets },
      // The studio runs on the author's machine: their services are often on it too.
      allowPrivateNetworks: true,
      outbound,
      cipher: this.#cipher,
      log,
      publicUrl: this.#publicUrl,
      observe: (at, _step, _event, _next, session) => {
        this.#trail.push(stepId(at));
        // The draft's vars are replaced, never changed in place: keeping the object is enough.
        this.#lastVars = session.vars;
      },
    });
    // A link sign-in finished in another tab: the conversation goes on here.
    engine.senders.set(studioAddress.kind, async (_address, output) => {
      this.#heard(output);
      void this.#refresh();
    });
    this.#engine = engine;
  }

  async #changed(change: Change): Promise<void> {
    if (change.kind === 'refused') {
      this.#emit();
      return;
    }
    const good = change.state.good!;
    // Laid out once per version, before the page is told of it (ELK takes a moment).
    try {
      this.#svgs.set(good.version, await svgOf(good.bot));
    } catch (error) {
      this.#write(`the flow of ${this.#file.path} could not be laid out: ${String(error)}\n`);
      this.#svgs.set(good.version, '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Flow"><title>Flow</title></svg>');
    }
    for (const version of this.#svgs.keys()) if (version < good.version - 1) this.#svgs.delete(version);
    await this.#exclusive(async () => {
      this.#rebuildEngine();
      if (change.previous === undefined) await this.#newConversation();
      else await this.#relocate(change.previous, good);
    });
  }

  /** After a reload: the conversation keeps its place, or starts over. */
  async #relocate(previous: GoodVersion, good: GoodVersion): Promise<void> {
    const key = conversationKey(this.#target());
    const release = await this.#store.locks.acquire(key, lockTtlMs, 10_000);
    if (release === undefined) return;
    let startOver = false;
    try {
      const held = await this.#store.sessions.get(key);
      const session = held === undefined ? undefined : (JSON.parse(held.value) as Session);
      const relocation = session === undefined ? ({ kind: 'nowhere' } as const) : relocate(session, previous.bot, good.bot);
      const file = this.#file.path;
      switch (relocation.kind) {
        case 'nowhere':
          this.#note(`Reloaded ${file}.`);
          break;
        case 'kept': {
          await this.#store.turns.commit(key, { expected: held!.version, session: { value: JSON.stringify(relocation.session), ttlSeconds: good.bot.settings.sessionTimeout } });
          const how = relocation.how === 'id' ? 'found by its id' : 'at the same position: give waiting steps an "id" so they are found when steps move';
          this.#note(`Reloaded ${file}: the conversation keeps its place at ${stepId(relocation.at)} (${how}).`);
          break;
        }
        case 'lost':
          await this.#store.turns.commit(key, { expected: held!.version, session: 'delete' });
          this.#note(`Reloaded ${file}: ${relocation.why}, so the conversation starts over.`);
          this.#prompt = undefined;
          this.#trail = [];
          this.#lastVars = undefined;
          startOver = true;
          break;
      }
    } finally {
      await release();
    }
    if (startOver && this.#channel === 'phone' && this.#engine !== undefined) {
      this.#callOpen = false;
      await this.#dial(this.#engine, true);
    }
    await this.#refresh();
  }

  // --- plumbing ---------------------------------------------------------------------------

  /** One thing at a time: turns, channel changes and reloads never interleave. */
  #exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.#serial.then(work).catch((error: unknown) => {
      this.#busy = false;
      this.#write(`studio: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      this.#note('Something went wrong in the studio itself: the terminal that runs it says what.');
      this.#emit();
    });
    this.#serial = run;
    return run;
  }

  #push(entry: Omit<Entry, 'id'>): void {
    this.#transcript = [...this.#transcript, { id: this.#nextEntry++, ...entry }].slice(-keptEntries);
  }

  #note(text: string): void {
    this.#push({ from: 'note', text });
  }

  #mask(text: string): string {
    return maskValues(text, [...this.#masked]);
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}

function locationOf(good: GoodVersion, script: string, step: number): string {
  const { line, column } = good.source.position(good.source.offset(['scripts', script, 'steps', step]));
  return `${good.bot.source}:${line}:${column}`;
}

const locations = new WeakMap<GoodVersion, Record<string, string>>();

/** Where each step is written, worked out once per version. */
function locationsOf(good: GoodVersion): Record<string, string> {
  const known = locations.get(good);
  if (known !== undefined) return known;
  const out: Record<string, string> = {};
  for (const [script, { steps }] of Object.entries(good.bot.scripts)) steps.forEach((_step, i) => (out[`${script}#${i}`] = locationOf(good, script, i)));
  locations.set(good, out);
  return out;
}
