// Address checks seen from a conversation: without ALLOW_PRIVATE_NETWORKS a bot cannot reach
// loopback, in any spelling, and the service listening there receives nothing.
import { describe, expect, it } from 'vitest';
import { chatWith, play } from '../support/conversation.js';
import type { StandInService } from '../support/stand-in-service.js';
import { botWith, enginesOnRedis, standIns, testEnv } from '../support/engine-on-redis.js';

const engineFor = enginesOnRedis('outbound-address');
const standIn = standIns();

const publicOnly = { BOT_SECRET_CLIENT_ID: testEnv.BOT_SECRET_CLIENT_ID };

const spellings = [
  ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}`],
  ['127.1', (port: number) => `http://127.1:${port}`],
  ['::ffff:127.0.0.1', (port: number) => `http://[::ffff:127.0.0.1]:${port}`],
  ['0x7f000001', (port: number) => `http://0x7f000001:${port}`],
  ['2130706433', (port: number) => `http://2130706433:${port}`],
  ['localhost', (port: number) => `http://localhost:${port}`],
] as const;

function apiBot(base: string) {
  return botWith({
    steps: [
      { type: 'webService', url: `${base}/ping`, save: { pong: 'pong' }, onError: 'refused' },
      { type: 'end', text: 'Reached: {pong}.' },
      { id: 'refused', type: 'end', text: 'Not reached.' },
    ],
  });
}

const pinging = async (): Promise<StandInService> => (await standIn()).on('GET /ping', { json: { pong: 'yes' } });

describe('outbound address checks in a conversation', () => {
  it.each(spellings)('a web service at %s takes onError and the server there gets nothing', async (_label, at) => {
    const service = await pinging();
    const { engine } = engineFor(apiBot(at(service.port)), { env: publicOnly });
    await play(chatWith(engine), '> hi\nNot reached.');
    expect(service.requests).toEqual([]);
  });

  it.each(spellings)('with ALLOW_PRIVATE_NETWORKS, the same call to %s goes through', async (_label, at) => {
    const service = await pinging();
    const { engine } = engineFor(apiBot(at(service.port)));
    await play(chatWith(engine), '> hi\nReached: yes.');
    expect(service.requests).toHaveLength(1);
  });

  it('an auth service on loopback is refused: the user is told plainly and nothing is sent', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok' } });
    const { engine } = engineFor(
      botWith({
        authTokens: {
          acme: { url: `${service.url}/login`, questions: [{ ask: 'Password?', field: 'password', secret: true }], ttl: 600, tokenPath: 'token', maxAttempts: 1 },
        },
        steps: [
          { type: 'authToken', token: 'acme', onFailure: 'locked' },
          { type: 'end', text: 'Welcome.' },
          { id: 'locked', type: 'end', text: 'Sign-in failed.' },
        ],
      }),
      { env: publicOnly },
    );
    await play(chatWith(engine), "> hi\nPassword?\n> pw\nSign-in failed.");
    expect(service.requests).toEqual([]);
  });

  it('a cloud metadata address stays closed even with ALLOW_PRIVATE_NETWORKS', async () => {
    const { engine } = engineFor(apiBot('http://169.254.169.254/latest/meta-data'));
    await play(chatWith(engine), '> hi\nNot reached.');
  });

  it('a redirect to a closed address is not followed', async () => {
    const service = (await standIn()).on('GET /ping', { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
    const { engine } = engineFor(apiBot(service.url));
    await play(chatWith(engine), '> hi\nNot reached.');
    expect(service.requests).toHaveLength(1);
  });
});
