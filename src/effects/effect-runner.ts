// Runs the effects the interpreter asks for. One instance serves every conversation of a bot.
import type { EffectRunner } from '../runtime/drive.js';
import type { EffectDeps } from './effect-deps.js';
import { signIn } from './sign-in-call.js';
import { failureKey } from './token-key.js';
import { cachedAccounts, forgetTokens, readToken } from './token-cache.js';
import { webCall } from './web-call.js';
import { isLinkMode } from '../bot/schema.js';
import { beginLink, verifyLink } from './link-sign-in.js';
import { isStale, refreshToken } from './token-refresh.js';

export function createEffectRunner(deps: EffectDeps): EffectRunner {
  return {
    async run(effect, turn) {
      switch (effect.type) {
        case 'token.lookup': {
          const definition = turn.bot.authTokens[effect.token];
          if (definition === undefined) return { type: 'token.lookup', found: false };
          // Several accounts and none named: the one chosen in this conversation, else the only one, else a list to choose from.
          let account = effect.account ?? (definition.accounts === 'several' ? turn.session.accounts?.[effect.token] : undefined);
          let accounts: string[] | undefined;
          if (definition.accounts === 'several' && account === undefined) {
            accounts = await cachedAccounts(deps, turn, effect.token, definition);
            if (accounts.length === 1) account = accounts[0];
          }
          let record = accounts !== undefined && account === undefined ? undefined : await readToken(deps, turn, effect.token, definition, account);
          if (record !== undefined && isStale(record, turn.now)) record = definition.mode === 'oauth' ? await refreshToken(deps, turn, effect.token, definition, record) : undefined;
          deps.metrics.tokenLookup(record !== undefined);
          if (record !== undefined) return { type: 'token.lookup', found: true, account: record.account };
          if (accounts !== undefined && accounts.length > 1) return { type: 'token.lookup', found: false, accounts };
          // A paused user is told so before typing a password that would not be sent anyway.
          const wait = await deps.backOff.wait(failureKey(effect.token, turn), turn.now);
          return wait > 0 ? { type: 'token.lookup', found: false, retryAfterSeconds: wait } : { type: 'token.lookup', found: false };
        }
        case 'secret.seal':
          return { type: 'secret.seal', sealed: deps.sealer.seal(effect.value) };
        case 'auth.signIn': {
          const definition = turn.bot.authTokens[effect.token];
          if (definition?.mode !== 'credentials') return { type: 'auth.signIn', ok: false, reason: 'unavailable' };
          const answers = { ...effect.answers };
          for (const [field, sealed] of Object.entries(effect.sealed)) {
            try {
              answers[field] = deps.sealer.open(sealed);
            } catch {
              // Sealed by another process without a shared key: the user is asked again.
              deps.log.warn({ token: effect.token }, 'a secret answer sealed by another instance could not be opened: give every instance the same TOKEN_ENCRYPTION_KEY');
              return { type: 'auth.signIn', ok: false, reason: 'unavailable' };
            }
          }
          return signIn(deps, turn, effect.token, definition, answers, effect.save);
        }
        case 'token.forget': {
          const definition = turn.bot.authTokens[effect.token];
          if (definition !== undefined) await forgetTokens(deps, turn, effect.token, definition, effect.account);
          return { type: 'token.forget' };
        }
        case 'web.call':
          return webCall(deps, turn, effect);
        case 'link.begin': {
          const definition = turn.bot.authTokens[effect.token];
          if (definition === undefined || !isLinkMode(definition)) return { type: 'link.begin', ok: false, reason: 'unavailable' };
          return beginLink(deps, turn, effect.token, definition, effect.email);
        }
        case 'link.verify': {
          const definition = turn.bot.authTokens[effect.token];
          if (definition === undefined || !isLinkMode(definition)) return { type: 'link.verify', ok: false, reason: 'expired' };
          return verifyLink(deps, turn, effect.token, definition, effect.code);
        }
      }
    },
  };
}
