// Placeholders must name something the bot can know when it renders them, and tokens and
// secrets must never be rendered into what the user sees.
import type { Bot } from '../bot.js';
import type { BotSource, JsonPath } from '../bot-source.js';
import { allSteps } from '../bot-steps.js';
import { closestNames, likelyMeant } from '../closest-names.js';
import { scanTemplate } from '../template-scan.js';
import type { Problem } from '../problems.js';

/** A string in the bot that is rendered as a template. */
interface TemplateSite {
  path: JsonPath;
  text: string;
  /** Shown or spoken to the user (or kept in a variable that could be). */
  visible: boolean;
  /** Names known at this site only: `{link}` in a link's text, `{code}` and `{email}` in an email sign-in's confirm call. */
  local?: readonly string[];
}

const userNames = ['user.id', 'user.channel', 'user.phone'];
const secretName = /^secret\.[A-Z0-9_]+$/;

export function checkPlaceholders(bot: Bot, source: BotSource): Problem[] {
  const known = knownNames(bot);
  const problems: Problem[] = [];
  for (const site of templateSites(bot)) {
    const { placeholders, unclosed } = scanTemplate(site.text);
    for (const index of unclosed)
      problems.push(
        source.error('template-syntax', site.path, 'this "{" starts a placeholder that is never closed: close it with "}", or write "{{" for a literal brace', {
          within: index,
        }),
      );
    for (const p of placeholders) {
      const written = site.text.slice(p.start, p.end);
      const at = { within: p.start };
      const shows = p.name === 'authtoken' || p.name.startsWith('authtoken.') ? 'a token' : p.name.startsWith('secret.') ? 'a secret' : undefined;
      if (site.visible && shows) {
        problems.push(
          source.error(
            'secret-in-text',
            site.path,
            `${written} here would show ${shows} to the user: remove it (tokens and secrets belong only in the url, headers, fields and body sent to a service)`,
            at,
          ),
        );
      } else if (!known.has(p.name) && site.local?.includes(p.name) !== true) {
        problems.push(source.error('unknown-placeholder', site.path, unknownPlaceholder(p.name, written, known, site.local), at));
      }
    }
  }

  for (const { step, path } of allSteps(bot)) {
    if (step.type !== 'condition') continue;
    step.branches.forEach(({ when }, i) => {
      if (known.has(when.var)) return;
      const near = closestNames(when.var, known.variables, 3);
      const suggestion = near.length > 0 ? `use ${orList(near.map((n) => `"${n}"`))}, or ` : '';
      problems.push(
        source.warning(
          'unknown-variable',
          [...path, 'branches', i, 'when', 'var'],
          `no step sets the variable "${when.var}", so this test always sees it empty: ${suggestion}save it with a question, a set step or a service call`,
        ),
      );
    });
  }
  return problems;
}

interface KnownNames {
  variables: string[];
  tokens: string[];
  has(name: string): boolean;
}

/** Every name a template can use in this bot: variables are bot-wide, since any script can jump to any other. */
function knownNames(bot: Bot): KnownNames {
  const variables = new Set<string>();
  for (const { step } of allSteps(bot)) {
    if (step.type === 'question') variables.add(step.save);
    if (step.type === 'set') for (const name of Object.keys(step.vars)) variables.add(name);
    if ((step.type === 'authToken' || step.type === 'webService') && step.save) for (const name of Object.keys(step.save)) variables.add(name);
  }
  const tokens = Object.keys(bot.authTokens);
  return {
    variables: [...variables],
    tokens,
    has(name) {
      if (variables.has(name) || userNames.includes(name) || secretName.test(name)) return true;
      if (name === 'authtoken' || name === 'account') return true;
      const dot = name.indexOf('.');
      const head = name.slice(0, dot);
      return dot > 0 && (head === 'authtoken' || head === 'account' || head === 'accounts') && tokens.includes(name.slice(dot + 1));
    },
  };
}

function unknownPlaceholder(name: string, written: string, known: KnownNames, local: readonly string[] = []): string {
  if (name.trim() === '') return `${written} is an empty placeholder: write a name between the braces, or {{ and }} for literal braces`;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    const trimmed = name.trim();
    if (known.has(trimmed)) return `${written} has spaces inside the braces: write {${trimmed}}`;
    return `${written} is not a placeholder name: write {{ and }} for literal braces, or a name such as {${closestNames(trimmed, known.variables, 1)[0] ?? 'user.id'}} for a value`;
  }
  const dot = name.indexOf('.');
  const head = dot > 0 ? name.slice(0, dot) : name;
  const rest = dot > 0 ? name.slice(dot + 1) : '';
  if (dot > 0 && (head === 'authtoken' || head === 'account' || head === 'accounts')) {
    if (known.tokens.length === 0) return `${written} names token definition "${rest}", but this bot defines no auth tokens: add "${rest}" under "authTokens"`;
    return `${written} names token definition "${rest}", which "authTokens" does not have: use one of ${known.tokens.map((t) => `{${head}.${t}}`).join(', ')}`;
  }
  if (head === 'secret') {
    const fixed = rest.toUpperCase().replace(/[^A-Z0-9_]/g, '_') || 'NAME';
    return `${written} is not a secret name: secret names are upper-case letters, digits and _, as in {secret.${fixed}} (read from the environment variable BOT_SECRET_${fixed})`;
  }
  if (head === 'user') return `${written} is not something the bot knows about the user: use {user.id}, {user.channel} or {user.phone}`;
  // Built-in names only when they look meant, so the list stays about the bot's own variables.
  const builtIn = likelyMeant(name, ['authtoken', 'account', ...userNames, ...local]);
  const near = [...(builtIn ? [builtIn] : []), ...closestNames(name, known.variables, 3)];
  const use = near.length > 0 ? `use ${orList(near.map((n) => `{${n}}`))}, or ` : '';
  return `${written} names nothing this bot knows: ${use}save "${name}" with a question, a set step or a service call`;
}

function templateSites(bot: Bot): TemplateSite[] {
  const sites: TemplateSite[] = [];
  const add = (path: JsonPath, text: string | undefined, visible: boolean, local?: readonly string[]): void => {
    if (text !== undefined) sites.push({ path, text, visible, ...(local && { local }) });
  };
  const addRecord = (path: JsonPath, record: Record<string, string> | undefined, visible: boolean, local?: readonly string[]): void => {
    for (const [key, value] of Object.entries(record ?? {})) add([...path, key], value, visible, local);
  };

  for (const [id, definition] of Object.entries(bot.authTokens)) {
    const path = ['authTokens', id];
    switch (definition.mode) {
      case 'credentials':
        add([...path, 'url'], definition.url, false);
        addRecord([...path, 'fields'], definition.fields, false);
        addRecord([...path, 'headers'], definition.headers, false);
        definition.questions.forEach((q, i) => {
          add([...path, 'questions', i, 'ask'], q.ask, true);
          add([...path, 'questions', i, 'say'], q.say, true);
        });
        add([...path, 'invalidMessage'], definition.invalidMessage, true);
        break;
      case 'oauth':
        for (const key of ['issuer', 'authorizationUrl', 'tokenUrl', 'userinfoUrl', 'clientId', 'clientSecret'] as const) add([...path, key], definition[key], false);
        addRecord([...path, 'params'], definition.params, false);
        add([...path, 'linkText'], definition.linkText, true, ['link']);
        break;
      case 'web':
        add([...path, 'beginUrl'], definition.beginUrl, false);
        add([...path, 'endUrl'], definition.endUrl, false);
        addRecord([...path, 'headers'], definition.headers, false);
        add([...path, 'linkText'], definition.linkText, true, ['link']);
        break;
      case 'email': {
        const confirm = ['code', 'email'];
        add([...path, 'ask'], definition.ask, true);
        add([...path, 'sendUrl'], definition.sendUrl, false, ['email']);
        add([...path, 'confirmUrl'], definition.confirmUrl, false, confirm);
        addRecord([...path, 'fields'], definition.fields, false, confirm);
        addRecord([...path, 'headers'], definition.headers, false, confirm);
        // The mail reaches the user: no token or secret in it.
        for (const key of ['from', 'subject', 'text'] as const) add([...path, 'mail', key], definition.mail?.[key], true, ['link', 'email']);
        break;
      }
    }
  }

  for (const { step, path } of allSteps(bot)) {
    switch (step.type) {
      case 'message':
      case 'end':
        add([...path, 'text'], step.text, true);
        add([...path, 'say'], step.say, true);
        break;
      case 'question':
        add([...path, 'ask'], step.ask, true);
        add([...path, 'say'], step.say, true);
        add([...path, 'invalid'], step.invalid, true);
        step.options?.forEach((o, i) => add([...path, 'options', i, 'label'], o.label, true));
        break;
      case 'set':
        // A variable can be shown later, so what it holds counts as shown.
        addRecord([...path, 'vars'], step.vars, true);
        break;
      case 'webService':
        add([...path, 'url'], step.url, false);
        addRecord([...path, 'headers'], step.headers, false);
        addBodyStrings([...path, 'body'], step.body, (p, s) => add(p, s, false));
        break;
      case 'authToken':
      case 'condition':
      case 'goto':
      case 'forgetToken':
        break;
    }
  }
  return sites;
}

function addBodyStrings(path: JsonPath, value: unknown, add: (path: JsonPath, text: string) => void): void {
  if (typeof value === 'string') add(path, value);
  else if (Array.isArray(value)) value.forEach((item, i) => addBodyStrings([...path, i], item, add));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) addBodyStrings([...path, key], item, add);
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}
