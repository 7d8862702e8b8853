// A server process for the many-instances test: startServer from the environment, on a free
// loopback port; prints one READY line with its URL on standard error.
import { startServer } from '../../src/server/start-server.js';

const botFile = process.env.BOT_FILE;
if (botFile === undefined) throw new Error('BOT_FILE is not set');
const server = await startServer({ botFile, port: 0, host: '127.0.0.1' });
process.stderr.write(`READY ${JSON.stringify({ url: server.url, port: server.port })}\n`);
process.once('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});
