// One in-process measurement in a fresh process, so that no benchmark inherits another's heap or
// compiled code: `node --expose-gc --import tsx bench/measure-child.ts NAME 'OPTIONS-JSON'`.
// Prints the result as JSON on its last line. Also compiled by tsc (bench/tsconfig.emit.json)
// to time the interpreter without tsx's per-closure name wrappers.
import { measureBotbuilderTurns } from './botbuilder-dialogs.js';
import { measureConversationTests } from './conversation-tests.js';
import { measureParleyTurns } from './interpreter.js';
import { measureHeap, measureRedisMemory } from './memory.js';
import { measureSignIn } from './sign-in.js';

const [name, json = '{}'] = process.argv.slice(2);
const options = JSON.parse(json) as Record<string, unknown>;

async function measure(): Promise<unknown> {
  switch (name) {
    case 'parley-turns':
      return measureParleyTurns(options as unknown as Parameters<typeof measureParleyTurns>[0]);
    case 'botbuilder-turns':
      return measureBotbuilderTurns(options as unknown as Parameters<typeof measureBotbuilderTurns>[0]);
    case 'sign-in':
      return measureSignIn(options as unknown as Parameters<typeof measureSignIn>[0]);
    case 'redis-memory':
      return measureRedisMemory(String(options.redisUrl), Number(options.conversations));
    case 'conversation-tests':
      return measureConversationTests(options as unknown as Parameters<typeof measureConversationTests>[0]);
    case 'heap':
      return measureHeap(Number(options.conversations));
    default:
      throw new Error(`unknown measurement ${String(name)}`);
  }
}

process.stdout.write(`${JSON.stringify(await measure())}\n`);
// Keep-alive agents and timers of the code under test must not hold the process open.
process.exit(0);
