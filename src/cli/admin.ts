// `parley admin show|reset|erase --channel C --user U`: the admin routes' work, straight on the
// store the servers share (REDIS_URL or REDIS_CLUSTER_NODES), for operators on a machine that
// reaches it. The embedded store lives inside one server's process: there, use the routes.
import { eraseUser } from '../admin/erase.js';
import { operatorUser } from '../admin/operator-user.js';
import { resetUser } from '../admin/reset.js';
import { showUser } from '../admin/show.js';
import { readSettings } from '../config.js';
import { openStore } from '../stores/open-store.js';

export type AdminAction = 'show' | 'reset' | 'erase';

/** Runs one action; resolves to the exit code. */
export async function admin(action: AdminAction, options: { channel: string; user: string }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const settings = readSettings(env);
  if (settings.redis === undefined) {
    process.stderr.write(
      'REDIS_URL (or REDIS_CLUSTER_NODES) is not set: without it each server keeps its conversations in its own memory, ' +
        'which no other process can reach. Set it to the store the servers use, or call the admin routes of the server (ADMIN_TOKEN).\n',
    );
    return 2;
  }
  const named = operatorUser(options.channel, options.user);
  if (!named.ok) {
    process.stderr.write(`${named.problem}\n`);
    return 2;
  }
  const { user } = named;
  const opened = await openStore(settings, { warn: (message) => process.stderr.write(`warning: ${message}\n`) });
  try {
    switch (action) {
      case 'show':
        process.stdout.write(`${JSON.stringify(await showUser(opened.store, user), null, 2)}\n`);
        break;
      case 'reset': {
        const ended = await resetUser(opened.store, user);
        process.stdout.write(`ended ${ended} conversation${ended === 1 ? '' : 's'} of ${user.channel} user ${user.id}: the next message starts over\n`);
        break;
      }
      case 'erase': {
        const erased = await eraseUser(opened.store, user);
        process.stdout.write(`erased ${erased.keys} key${erased.keys === 1 ? '' : 's'} of ${user.channel} user ${user.id} (${erased.conversations} conversation${erased.conversations === 1 ? '' : 's'} under way)\n`);
        break;
      }
    }
    return 0;
  } finally {
    await opened.store.close();
  }
}
