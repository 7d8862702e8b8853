// The example bots in scripts/ talk to the demo auth service and API on 127.0.0.1:4010. When
// one of them is run, those services start in the same process, so it works out of the box.
import type { Bot } from '../bot/bot.js';
import { startDemoServices, type DemoServices } from '../demo/demo-services.js';

export const demoServicesPort = 4010;
const exampleBots = new Set(['demo', 'phone-bank']);

export function usesDemoServices(bot: Bot): boolean {
  return exampleBots.has(bot.id);
}

/** Starts the demo services for an example bot, and lets its calls reach loopback. */
export async function startExampleServices(bot: Bot, env: NodeJS.ProcessEnv): Promise<DemoServices | undefined> {
  if (!usesDemoServices(bot)) return undefined;
  env.ALLOW_PRIVATE_NETWORKS ??= 'true';
  try {
    return await startDemoServices(demoServicesPort);
  } catch (error) {
    // Another Parley (a second `serve`, say) already runs them: use those.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return undefined;
    throw error;
  }
}
