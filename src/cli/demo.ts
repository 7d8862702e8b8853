// `parley demo` (the README's first command): two conversations with the demo bank bot. The
// first signs in against the demo auth service and calls the demo API with the token; the
// second, a new conversation, asks nothing because the token is cached.
import { previewLines } from '../../channels/preview.js';
import { readSettings } from '../config.js';
import { createEngine } from '../create-engine.js';
import { runTurn } from '../runtime/run-turn.js';
import type { User } from '../runtime/turn.js';
import { createMemoryStore } from '../stores/memory-store.js';
import { startExampleServices } from './example-services.js';
import { loadOrExit } from './load-or-exit.js';

import { demoBotPath } from './demo-bot-path.js';

export { demoBotPath };

export async function demo(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const bot = await loadOrExit(demoBotPath);
  const { services, allowPrivateNetworks } = await startExampleServices();
  const store = createMemoryStore();
  const engine = createEngine({ bot, store, secrets: readSettings(env).botSecrets, allowPrivateNetworks });
  const user: User = { id: '+15550100001', channel: 'sms', via: 'console', phone: '+15550100001' };
  const out = (line = '') => process.stdout.write(`${line}\n`);

  const conversation = async (title: string, messages: string[]) => {
    out(`--- ${title}`);
    let secret = false;
    for (const text of messages) {
      // Secret answers are masked here, as in every transcript Parley writes.
      out(`  you> ${secret ? '•'.repeat(8) : text}`);
      const turn = await runTurn(engine, { user, conversation: `sms:${user.id}`, input: { text } });
      for (const line of previewLines(turn, 'sms')) out(`  bot> ${line}`);
      secret = turn.prompt?.secret === true;
    }
    out();
  };

  out(`Parley demo: "${bot.name}" (${demoBotPath}) over SMS, with its demo auth service and API on 127.0.0.1:4010.`);
  out();
  await conversation('Conversation 1: the bot signs the user in, then calls the API with the token', ['hi', 'ada', 'lovelace']);
  await conversation('Conversation 2: the token is cached, so the bot asks nothing', ['hello again']);
  await conversation('Conversation 3: "logout" forgets the token', ['logout']);
  out('Talk to it yourself:   npx parley chat scripts/demo.json --demo-services        (username ada, password lovelace)');
  out('On the phone keypad:   npx parley chat scripts/phone-bank.json --channel phone --demo-services   (account 10001, PIN 1815)');
  out('On a sign-in page:     npx parley chat scripts/oauth-demo.json --demo-services   (open the link it prints; ada / lovelace)');
  out('Run the tests:         npm test');
  await store.close();
  await services?.close();
}
