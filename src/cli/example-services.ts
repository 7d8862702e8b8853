// The example bots in scripts/ talk to the demo auth service and API on 127.0.0.1:4010. They
// start only when asked (the `demo` command, or `--demo-services` on `chat` and `serve`):
// running them lets the bot's calls reach loopback, which no bot file may switch on by itself.
import { startDemoServices, type DemoServices } from '../demo/demo-services.js';

export const demoServicesPort = 4010;

export interface ExampleServices {
  /** Undefined when another Parley on this machine already runs them. */
  services: DemoServices | undefined;
  /** The demo services live on loopback: this process's calls must be let through to them. */
  allowPrivateNetworks: true;
}

/** Starts the demo services on 127.0.0.1:4010, or uses the ones another process runs there. */
export async function startExampleServices(): Promise<ExampleServices> {
  try {
    return { services: await startDemoServices(demoServicesPort), allowPrivateNetworks: true };
  } catch (error) {
    // Another Parley (a second `serve`, say) already runs them: use those.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return { services: undefined, allowPrivateNetworks: true };
    throw error;
  }
}
