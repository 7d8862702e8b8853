import type { Outbound } from '../http/outbound.js';
import type { SendUnprompted } from '../runtime/resume.js';
import type { OAuthProviders } from './oauth-provider.js';
import type { PendingLinks } from './pending-links.js';
import type { Log } from '../runtime/log.js';
import type { Mailer } from './mailer.js';
import type { Metrics } from '../runtime/metrics.js';
import type { Cipher } from '../stores/cipher.js';
import type { Store } from '../stores/store.js';
import type { BackOff } from './back-off.js';

/** What the effects reach of the world. */
export interface EffectDeps {
  store: Store;
  backOff: BackOff;
  /** Seals secret answers held between two questions. */
  sealer: Cipher;
  /** `{secret.NAME}`: the environment variable BOT_SECRET_NAME, and no other. */
  secret(name: string): string | undefined;
  /** Every outbound call goes through here (the network, or a conversation test's stand-ins). */
  outbound: Outbound;
  log: Log;
  metrics: Metrics;
  /** Sign-ins waiting on a link (modes oauth, web). */
  links: PendingLinks;
  oauth: OAuthProviders;
  /** PUBLIC_URL: the base of `/auth/callback`. */
  publicUrl: () => string;
  /** The engine's senders: a caller gets the sign-in link by SMS. */
  senders: ReadonlyMap<string, SendUnprompted>;
  /** Mails an email sign-in's link (SMTP_URL; the console's printer); none: such links cannot be mailed by Parley. */
  mailer?: Mailer;
}
