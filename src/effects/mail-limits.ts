// How many sign-in mails one user, and one address, may be sent in an hour: a bot must not
// become a way to flood someone's inbox, whoever asks and from however many numbers. Counted in
// the store, so every instance counts together, per clock hour (a counter per hour, so the wait
// can be told exactly); the address is counted under a keyed digest, never in clear.
import type { EffectTurn } from '../runtime/drive.js';
import { addressKey } from '../sign-in/email-address.js';
import type { EffectDeps } from './effect-deps.js';

/** Sign-in mails one user of a bot may cause in an hour, whichever addresses they give. */
export const mailsPerUserPerHour = 5;
/** Sign-in mails one address may get in an hour, whoever asks for them. */
export const mailsPerAddressPerHour = 3;

const hourMs = 3_600_000;

/** Counts a mail about to be sent; the seconds until the next hour when it would pass a limit (it is then not sent), else 0. */
export async function countMail(deps: Pick<EffectDeps, 'store' | 'sealer'>, turn: Pick<EffectTurn, 'bot' | 'user' | 'now'>, address: string): Promise<number> {
  const hour = Math.floor(turn.now / hourMs);
  const ttlSeconds = hourMs / 1000 + 60;
  const [byUser, byAddress] = await Promise.all([
    deps.store.keyed.increment(`mails:user:${turn.bot.id}:${turn.user.via}:${turn.user.channel}:${turn.user.id}:${hour}`, ttlSeconds),
    deps.store.keyed.increment(`mails:to:${deps.sealer.fingerprint(`mailbox:${addressKey(address)}`)}:${hour}`, ttlSeconds),
  ]);
  if (byUser <= mailsPerUserPerHour && byAddress <= mailsPerAddressPerHour) return 0;
  return Math.ceil(((hour + 1) * hourMs - turn.now) / 1000);
}
