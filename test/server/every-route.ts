// Every route the server has, each on an app where it is switched on, with a way to sign any
// body as its platform would: what the tests of "whatever is posted, never a 5xx" run against.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import twilio from 'twilio';
import type { Bot } from '../../src/bot/bot.js';
import type { StandInService } from '../support/stand-in-service.js';
import { authToken, type TestApp } from './support.js';

export const metaSecret = 'meta-app-secret-every-route';
export const adminToken = 'admin-token-every-route-0123456789abcdef';

/** A form as the server parses it: a field sent twice is a list. */
export type FormFields = Record<string, string | string[]>;

export interface Route {
  name: string;
  app: TestApp;
  path: string;
  /**
   * The headers that get a body past the route's signature check, where it has one: Twilio signs
   * the URL called (`pathAndQuery`) and the fields as the server parses them, Meta the bytes.
   */
  sign(raw: Buffer, fields: FormFields | undefined, pathAndQuery: string): Record<string, string>;
}

export interface EveryRoute {
  routes: Route[];
  /** Twilio, the Emulator and Meta switched on; health and metrics. */
  open: TestApp;
  /** Bot Framework credentials: every request without a valid token is refused. */
  credentialed: TestApp;
  /** Records the Emulator's replies (a loopback serviceUrl) and the Graph API's calls. */
  connector: StandInService;
  apps: TestApp[];
}

type StartApp = (bot: Bot, env?: NodeJS.ProcessEnv, tuning?: { botFrameworkAuthTimeoutMs?: number; deadlineMs?: number }) => Promise<TestApp>;
/** A server of several bots (BOT_DIR): botsOnRedis() of support.ts. */
type StartBots = (bots: Bot[], env?: NodeJS.ProcessEnv) => Promise<TestApp>;

const unsigned = () => ({});

/**
 * With `startBots`, also the routes of a server of several bots: `bot`, answering for the
 * fixtures' Twilio number and WhatsApp number id, and a second bot answering for the fixtures'
 * Messenger page, so that bodies are routed (and Meta's batches split) before any bot sees them.
 */
export async function everyRoute(startApp: StartApp, bot: Bot, connector: StandInService, startBots?: StartBots): Promise<EveryRoute> {
  connector.on('POST /v3/conversations/*', { json: { id: 'reply' } });
  connector.on('POST /*', { json: { message_id: 'm_out' } });
  const open = await startApp(
    bot,
    { BOT_FRAMEWORK_EMULATOR: 'true', META_APP_SECRET: metaSecret, META_VERIFY_TOKEN: 'verify-me', META_ACCESS_TOKEN: 'page-token', META_GRAPH_URL: connector.url, ADMIN_TOKEN: adminToken },
  );
  const nowhere = `http://127.0.0.1:${await closedPort()}`;
  const credentialed = await startApp(
    bot,
    {
      MicrosoftAppId: '5e0f7a1c-0000-4000-8000-0000000b0f1d',
      MicrosoftAppPassword: 'not-used',
      ToBotFromChannelOpenIdMetadataUrl: `${nowhere}/v1/.well-known/openidconfiguration`,
      ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
      ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      ToChannelFromBotLoginUrl: `${nowhere}/botframework.com`,
      OAuthUrl: nowhere,
    },
    { botFrameworkAuthTimeoutMs: 1_000 },
  );
  const twilioSigned = (_raw: Buffer, fields: FormFields | undefined, pathAndQuery: string) => ({
    'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, open.publicUrl + pathAndQuery, fields ?? {}),
  });
  const routes: Route[] = [
    { name: 'Twilio SMS', app: open, path: '/twilio/sms', sign: twilioSigned },
    { name: 'Twilio voice', app: open, path: '/twilio/voice', sign: twilioSigned },
    { name: 'Bot Framework (Emulator)', app: open, path: '/api/messages', sign: unsigned },
    { name: 'Bot Framework (credentials)', app: credentialed, path: '/api/messages', sign: unsigned },
    {
      name: 'Meta',
      app: open,
      path: '/meta/webhook',
      sign: (raw) => ({ 'x-hub-signature-256': `sha256=${createHmac('sha256', metaSecret).update(raw).digest('hex')}` }),
    },
    { name: 'admin', app: open, path: '/admin/conversations/sms/+15550100001', sign: () => ({ authorization: `Bearer ${adminToken}` }) },
    { name: 'health', app: open, path: '/healthz', sign: unsigned },
    { name: 'metrics', app: open, path: '/metrics', sign: unsigned },
    { name: 'editor schema', app: open, path: '/schema/bot.schema.json', sign: unsigned },
    // A code of the right shape that names no link: the button of a mailed link's page posts here.
    { name: 'a mailed sign-in link', app: open, path: `/auth/email/${'Q'.repeat(43)}`, sign: unsigned },
    { name: 'an unknown path', app: open, path: '/nowhere/at/all', sign: unsigned },
  ];
  const apps = [open, credentialed];
  if (startBots !== undefined) {
    const several = await startBots(
      [
        { ...bot, answersFor: { numbers: ['+15550009876'], whatsappNumberIds: ['100000000000001'], appIds: ['example-bot@0000000000000000'] } },
        { ...bot, id: `${bot.id}-two`, answersFor: { pages: ['100000000000123'] } },
      ],
      { BOT_FRAMEWORK_EMULATOR: 'true', META_APP_SECRET: metaSecret, META_VERIFY_TOKEN: 'verify-me', META_ACCESS_TOKEN: 'page-token', META_GRAPH_URL: connector.url },
    );
    const severalSigned = (_raw: Buffer, fields: FormFields | undefined, pathAndQuery: string) => ({
      'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, several.publicUrl + pathAndQuery, fields ?? {}),
    });
    const metaSigned = (raw: Buffer) => ({ 'x-hub-signature-256': `sha256=${createHmac('sha256', metaSecret).update(raw).digest('hex')}` });
    routes.push(
      { name: 'Twilio SMS (several bots)', app: several, path: '/twilio/sms', sign: severalSigned },
      { name: 'Twilio voice (several bots)', app: several, path: '/twilio/voice', sign: severalSigned },
      { name: 'Bot Framework (several bots)', app: several, path: '/api/messages', sign: unsigned },
      { name: 'Meta (several bots)', app: several, path: '/meta/webhook', sign: metaSigned },
      { name: 'Twilio SMS (a bot\'s own path)', app: several, path: `/bots/${bot.id}/twilio/sms`, sign: severalSigned },
    );
    apps.push(several);
  }
  return { routes, open, credentialed, connector, apps };
}

/** Posts `raw` with `type` (no content-type header when undefined), signed for the route. */
export async function postTo(route: Route, raw: Buffer, type: string | undefined, fields?: FormFields, query = ''): Promise<{ status: number; text: string }> {
  const pathAndQuery = route.path + query;
  const headers: Record<string, string> = { ...route.sign(raw, fields, pathAndQuery) };
  if (type !== undefined) headers['content-type'] = type;
  const response = await fetch(route.app.url + pathAndQuery, { method: 'POST', headers, body: raw.length === 0 && type === undefined ? null : new Uint8Array(raw) });
  return { status: response.status, text: await response.text() };
}

/** Lines at error level or above (pino: 50 error, 60 fatal). */
export function errorLines(app: TestApp): string[] {
  return app
    .logText()
    .split('\n')
    .filter((line) => /"level":(5|6)\d/.test(line));
}

/** A loopback port where nothing listens. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
