// An email sign-in without "sendUrl" is mailed by Parley itself, through SMTP_URL: where the bot
// is served without one, such a definition could never sign anyone in, so it is refused when the
// bot is loaded (shared/spec/server.md), not found out when a user first asks.
import type { Bot } from '../bot.js';
import type { BotSource } from '../bot-source.js';
import type { Problem } from '../problems.js';

/**
 * `canMail`: true where Parley can send mail (SMTP_URL is set, or the console prints mail);
 * false where it cannot (an error); undefined where that is not known (`validate`: a warning).
 */
export function checkMail(bot: Bot, source: BotSource, canMail: boolean | undefined): Problem[] {
  if (canMail === true) return [];
  const problems: Problem[] = [];
  for (const [id, definition] of Object.entries(bot.authTokens)) {
    if (definition.mode !== 'email' || definition.sendUrl !== undefined) continue;
    const path = ['authTokens', id, 'mode'];
    problems.push(
      canMail === false
        ? source.error(
            'no-mail-server',
            path,
            `auth token definition "${id}" has Parley mail the sign-in link (it has no "sendUrl"), and SMTP_URL is not set: set SMTP_URL (smtp://user:password@host:587 or smtps://…), or give "sendUrl" so the service mails the link`,
          )
        : source.warning('no-mail-server', path, `auth token definition "${id}" has Parley mail the sign-in link (it has no "sendUrl"): where this bot is served, SMTP_URL must be set`),
    );
  }
  return problems;
}
