// The demo auth service and API as a process of their own (the compose file's `demo`
// container): `node dist/src/demo/main.js`, on DEMO_HOST (default 0.0.0.0) and DEMO_PORT
// (default 4010). For demonstrations only: the users and passwords are the README's.
import { startDemoServices } from './demo-services.js';

const port = Number(process.env.DEMO_PORT ?? 4010);
const host = process.env.DEMO_HOST ?? '0.0.0.0';
const services = await startDemoServices(port, host);
process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: `demo services on ${host}:${services.port}` })}\n`);
const stop = () => void services.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
