// One server, every bot of a folder (BOT_DIR): each on /bots/ID/… and on the routes without a
// prefix for the numbers, pages and app ids it names (`answersFor`), with nothing shared
// between bots: not a conversation, not a token. On a real Redis, as replicas run it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { standIns } from '../support/engine-on-redis.js';
import { rawRedis, testRedisUrl } from '../support/redis.js';
import { authToken, eventually, fixture, postJson, postMeta, postTwilio, twimlTexts, uniquePhone } from './support.js';

const startStandIn = standIns();
const quiet = { write: () => undefined };
const metaSecret = 'several-bots-meta-secret';
const key = Buffer.alloc(32, 5).toString('base64');

function folderOf(bots: Record<string, object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bots-'));
  for (const [name, bot] of Object.entries(bots)) writeFileSync(join(dir, name), JSON.stringify(bot, null, 2));
  return dir;
}

/** A bot that greets with its name, asks a name, and signs in with `acme` when asked "login". */
function botNamed(id: string, answersFor: object, authUrl = 'http://127.0.0.1:9/login'): object {
  return {
    format: 1,
    id,
    name: id,
    start: 'main',
    answersFor,
    triggers: [{ keywords: ['login'], script: 'login' }],
    authTokens: { acme: { url: authUrl, questions: [{ ask: `${id}: password?`, field: 'password', secret: true }], ttl: 600, tokenPath: 'token' } },
    scripts: {
      main: { steps: [{ type: 'message', text: `This is ${id}.` }, { id: 'name', type: 'question', ask: `${id}: your name?`, save: 'name' }, { type: 'end', text: `${id} thanks {name}.` }] },
      login: { steps: [{ type: 'authToken', token: 'acme' }, { type: 'end', text: `${id}: signed in as {account}.` }] },
    },
  };
}

async function serve(dir: string, env: NodeJS.ProcessEnv = {}): Promise<RunningServer & { local: string }> {
  const server = await startServer({
    botDir: dir,
    port: 0,
    host: '127.0.0.1',
    watch: false,
    env: { TWILIO_AUTH_TOKEN: authToken, REDIS_URL: testRedisUrl(), TOKEN_ENCRYPTION_KEY: key, ALLOW_PRIVATE_NETWORKS: 'true', ...env },
    logDestination: quiet,
  });
  onTestFinished(() => server.close());
  return Object.assign(server, { local: `http://127.0.0.1:${server.port}` });
}

const sms = (server: { local: string; url: string }, path: string, from: string, to: string, body: string) =>
  postTwilio({ url: server.local, publicUrl: server.url }, path, { ...fixture('twilio-sms.form.json'), From: from, To: to, Body: body, MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}` });

describe('a server of several bots (BOT_DIR)', () => {
  it('routes by path: /bots/ID/… reaches that bot, an unknown id nothing', async () => {
    const server = await serve(folderOf({ 'alpha.json': botNamed('alpha', {}), 'beta.json': botNamed('beta', {}) }));
    const me = uniquePhone();
    expect(twimlTexts((await sms(server, '/bots/alpha/twilio/sms', me, '+15550000000', 'hi')).text, 'Message')).toEqual(['This is alpha.', 'alpha: your name?']);
    expect(twimlTexts((await sms(server, '/bots/beta/twilio/sms', me, '+15550000000', 'hi')).text, 'Message')).toEqual(['This is beta.', 'beta: your name?']);
    expect((await sms(server, '/bots/gamma/twilio/sms', me, '+15550000000', 'hi')).status).toBe(404);
    // Without a claim on the number, and two bots, nobody answers the route without a prefix.
    expect((await sms(server, '/twilio/sms', me, '+15550000000', 'hi')).status).toBe(404);
    // The signature covers the path: one made for another bot's route is refused.
    const forged = await postTwilio({ url: server.local, publicUrl: server.url }, '/bots/beta/twilio/sms', { ...fixture('twilio-sms.form.json'), From: me }, 'wrong-token');
    expect(forged.status).toBe(403);
    const health = await (await fetch(`${server.local}/healthz`)).json();
    expect(health).toEqual({ status: 'ok', store: 'redis' });
  });

  it('routes by number: Twilio\'s To (SMS, WhatsApp, a call) reaches the bot that answers for it', async () => {
    const server = await serve(folderOf({ 'alpha.json': botNamed('alpha', { numbers: ['+15550100011'] }), 'beta.json': botNamed('beta', { numbers: ['+15550100022'] }) }));
    const me = uniquePhone();
    expect(twimlTexts((await sms(server, '/twilio/sms', me, '+15550100011', 'hi')).text, 'Message')).toEqual(['This is alpha.', 'alpha: your name?']);
    expect(twimlTexts((await sms(server, '/twilio/sms', `whatsapp:${me}`, 'whatsapp:+15550100022', 'hi')).text, 'Message')).toEqual(['This is beta.', 'beta: your name?']);
    expect((await sms(server, '/twilio/sms', me, '+15550100033', 'hi')).status).toBe(404);

    const call = { ...fixture('twilio-voice-incoming.form.json'), From: me, Caller: me, To: '+15550100022', Called: '+15550100022', CallSid: `CA${'4'.repeat(32)}` };
    const voice = await postTwilio({ url: server.local, publicUrl: server.url }, '/twilio/voice', call);
    expect(twimlTexts(voice.text, 'Say')).toEqual(['This is beta.', 'beta: your name?']);
    // The call goes on at the bot's own path: the next requests need no routing.
    expect(voice.text).toContain('action="/bots/beta/twilio/voice');
    // Through a bot's own path, the call comes back to that path.
    const direct = await postTwilio({ url: server.local, publicUrl: server.url }, '/bots/alpha/twilio/voice', { ...call, CallSid: `CA${'5'.repeat(32)}` });
    expect(direct.text).toContain('action="/bots/alpha/twilio/voice');
  });

  it('keeps every bot\'s conversations and tokens apart, for the same user on the same store', async () => {
    const auth = (await startStandIn()).on('POST /login', { json: { token: 'tok-123' } });
    const server = await serve(
      folderOf({ 'alpha.json': botNamed('alpha', { numbers: ['+15550100011'] }, `${auth.url}/login`), 'beta.json': botNamed('beta', { numbers: ['+15550100022'] }, `${auth.url}/login`) }),
    );
    const me = uniquePhone();
    const toAlpha = (body: string) => sms(server, '/twilio/sms', me, '+15550100011', body).then((a) => twimlTexts(a.text, 'Message'));
    const toBeta = (body: string) => sms(server, '/twilio/sms', me, '+15550100022', body).then((a) => twimlTexts(a.text, 'Message'));
    expect(await toAlpha('hi')).toEqual(['This is alpha.', 'alpha: your name?']);
    // Beta does not take the message as an answer to alpha's question.
    expect(await toBeta('Ada')).toEqual(['This is beta.', 'beta: your name?']);
    // In Redis (both wait at their question now), each bot's conversation lives under its own id.
    const redis = rawRedis();
    try {
      const keys = await redis.keys(`parley:{*${me}}:s`);
      expect(keys.sort()).toEqual([`parley:{alpha/twilio:sms:${me}}:s`, `parley:{beta/twilio:sms:${me}}:s`]);
    } finally {
      await redis.quit();
    }
    expect(await toAlpha('Ada')).toEqual(['alpha thanks Ada.']);

    // A token got from alpha is not beta's.
    expect(await toAlpha('login')).toEqual(['alpha: password?']);
    expect(await toAlpha('secret')).toEqual(['alpha: signed in as acme.']);
    expect(await toBeta('login')).toEqual(['beta: password?']);
    expect(auth.requests.length).toBe(1);

  });

  it('routes Meta events by page and WhatsApp number, splitting a batch that holds both bots\' events', async () => {
    const graph = (await startStandIn()).on('POST /*', { json: { message_id: 'm_out' } });
    const server = await serve(folderOf({ 'alpha.json': botNamed('alpha', { pages: ['100000000000111'] }), 'beta.json': botNamed('beta', { pages: ['100000000000222'], whatsappNumberIds: ['100000000000001'] }) }), {
      META_APP_SECRET: metaSecret,
      META_VERIFY_TOKEN: 'verify-me',
      META_ACCESS_TOKEN: 'page-token',
      META_GRAPH_URL: graph.url,
    });
    const base = fixture<{ object: string; entry: Array<Record<string, unknown>> }>('meta-messenger-text.json');
    const entryFor = (page: string, psid: string) => ({
      ...base.entry[0],
      id: page,
      messaging: [{ sender: { id: psid }, recipient: { id: page }, timestamp: Date.now(), message: { mid: `m_${Math.random().toString(36).slice(2)}`, text: 'hi' } }],
    });
    const batch = { object: 'page', entry: [entryFor('100000000000111', '2400000000000011'), entryFor('100000000000222', '2400000000000022')] };
    expect((await postMeta({ url: server.local }, batch, 'forged-secret')).status).toBe(403);
    expect((await postMeta({ url: server.local }, batch, metaSecret)).status).toBe(200);
    const sent = await eventually(() => {
      const calls = graph.to('POST /me/messages').map((r) => r.json as { recipient: { id: string }; message: { text: string } });
      return calls.length >= 4 ? calls : undefined;
    });
    const said = (psid: string) => sent.filter((c) => c.recipient.id === psid).map((c) => c.message.text);
    expect(said('2400000000000011')).toEqual(['This is alpha.', 'alpha: your name?']);
    expect(said('2400000000000022')).toEqual(['This is beta.', 'beta: your name?']);

    const whatsapp = fixture<{ entry: Array<{ changes: Array<{ value: { messages: Array<{ from: string; id: string }> } }> }> }>('meta-whatsapp-text.json');
    const message = whatsapp.entry[0]!.changes[0]!.value.messages[0]!;
    message.from = uniquePhone().slice(1);
    message.id = `wamid.${Math.random().toString(36).slice(2)}`;
    expect((await postMeta({ url: server.local }, whatsapp, metaSecret)).status).toBe(200);
    const toWhatsapp = await eventually(() => {
      const calls = graph.to('POST /100000000000001/messages').map((r) => r.json as { to: string; text?: { body: string } });
      return calls.length >= 2 ? calls : undefined;
    });
    expect(toWhatsapp.map((c) => c.text?.body ?? '(question)')[0]).toBe('This is beta.');
  });

  it('routes Bot Framework activities by the recipient (app) id', async () => {
    const connector = (await startStandIn()).on('POST /v3/conversations/*', { json: { id: 'reply' } });
    const server = await serve(folderOf({ 'alpha.json': botNamed('alpha', { appIds: ['alpha-app'] }), 'beta.json': botNamed('beta', { appIds: ['beta-app'] }) }), { BOT_FRAMEWORK_EMULATOR: 'true' });
    const activity = (recipient: string) => ({
      ...fixture<Record<string, unknown>>('botframework-webchat-message.json'),
      id: `act-${Math.random().toString(36).slice(2)}`,
      conversation: { id: `conv-${Math.random().toString(36).slice(2)}` },
      recipient: { id: recipient, name: 'bot' },
      serviceUrl: `${connector.url}/`,
      deliveryMode: 'expectReplies',
    });
    const texts = async (path: string, recipient: string) => {
      const answer = await postJson(`${server.local}${path}`, activity(recipient));
      return (JSON.parse(answer.text) as { activities: Array<{ text: string }> }).activities.map((a) => a.text);
    };
    expect(await texts('/api/messages', 'beta-app')).toEqual(['This is beta.', 'beta: your name?']);
    expect(await texts('/api/messages', '28:alpha-app')).toEqual(['This is alpha.', 'alpha: your name?']);
    expect(await texts('/bots/beta/api/messages', 'anyone')).toEqual(['This is beta.', 'beta: your name?']);
    expect((await postJson(`${server.local}/api/messages`, activity('nobody-app'))).status).toBe(404);
  });

  it('a single bot in the folder answers everything without a prefix too', async () => {
    const server = await serve(folderOf({ 'solo.json': botNamed('solo', {}) }));
    expect(twimlTexts((await sms(server, '/twilio/sms', uniquePhone(), '+15550000000', 'hi')).text, 'Message')).toEqual(['This is solo.', 'solo: your name?']);
  });

  it('refuses to start when two bots share an id or claim one number, naming the files', async () => {
    const twins = folderOf({ 'a.json': botNamed('same', {}), 'b.json': botNamed('same', {}) });
    await expect(serve(twins)).rejects.toThrow(/b\.json:\d+:\d+: another bot of this server has the id "same" \(a\.json\)/);
    const rivals = folderOf({ 'a.json': botNamed('alpha', { numbers: ['+15550100011'] }), 'b.json': botNamed('beta', { numbers: ['+15550100011'] }) });
    await expect(serve(rivals)).rejects.toThrow(/b\.json:\d+:\d+: "\+15550100011" is already answered for by bot "alpha" \(a\.json\)/);
    const empty = folderOf({});
    await expect(serve(empty)).rejects.toThrow(/there is no bot file in this folder/);
  });
});
