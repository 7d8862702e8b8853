// Names that must name something: the start script, trigger scripts, step targets, token
// definitions; and ids and keywords that must not be used twice.
import { normalizeKeyword, resolveTarget } from '../bot.js';
import type { Bot } from '../bot.js';
import type { BotSource, JsonPath } from '../bot-source.js';
import { allSteps, targetsOf } from '../bot-steps.js';
import { closestNames, likelyMeant } from '../closest-names.js';
import type { Problem } from '../problems.js';

export function checkReferences(bot: Bot, source: BotSource): Problem[] {
  const problems: Problem[] = [];
  const scripts = Object.keys(bot.scripts);
  const tokens = Object.keys(bot.authTokens);

  if (!Object.hasOwn(bot.scripts, bot.start))
    problems.push(source.error('unknown-start', ['start'], `start names script "${bot.start}", which this bot does not have: ${addScript(bot.start, scripts)}`));

  const keywords = new Map<string, { script: string; path: JsonPath }>();
  bot.triggers.forEach((trigger, t) => {
    if (!Object.hasOwn(bot.scripts, trigger.script))
      problems.push(
        source.error('unknown-script', ['triggers', t, 'script'], `this trigger starts script "${trigger.script}", which this bot does not have: ${addScript(trigger.script, scripts)}`),
      );
    trigger.keywords.forEach((keyword, k) => {
      const path = ['triggers', t, 'keywords', k];
      const normal = normalizeKeyword(keyword);
      const earlier = keywords.get(normal);
      if (!earlier) keywords.set(normal, { script: trigger.script, path });
      else {
        const line = source.lineOf(earlier.path);
        const message =
          earlier.script === trigger.script
            ? `keyword "${keyword}" is already listed at line ${line}: remove one of them`
            : `keyword "${keyword}" already starts script "${earlier.script}" (line ${line}), and only this later one will count: remove one of them`;
        problems.push(source.warning('duplicate-keyword', path, message));
      }
    });
  });

  const seenIds = new Map<string, JsonPath>();
  for (const at of allSteps(bot)) {
    const { step, script, path } = at;
    if (step.id !== undefined) {
      const key = `${script}#${step.id}`;
      const earlier = seenIds.get(key);
      if (earlier)
        problems.push(
          source.error('duplicate-id', [...path, 'id'], `step id "${step.id}" is already used in script "${script}" at line ${source.lineOf(earlier)}: give this step another id`),
        );
      else seenIds.set(key, path);
    }

    for (const ref of targetsOf(step)) {
      if (resolveTarget(bot, script, ref.target)) continue;
      problems.push(source.error('unknown-target', [...path, ...ref.key], unknownTarget(bot, script, ref.label, ref.target)));
    }

    if (step.type === 'goto' && step.script !== undefined && !Object.hasOwn(bot.scripts, step.script))
      problems.push(
        source.error('unknown-script', [...path, 'script'], `goto names script "${step.script}", which this bot does not have: ${addScript(step.script, scripts)}`),
      );

    const token = step.type === 'authToken' || step.type === 'forgetToken' ? { name: step.token, key: 'token' } : step.type === 'webService' && step.authToken !== undefined ? { name: step.authToken, key: 'authToken' } : undefined;
    if (token && !Object.hasOwn(bot.authTokens, token.name)) {
      const fix =
        tokens.length === 0
          ? `this bot defines no auth tokens: add a definition "${token.name}" under "authTokens"`
          : `${didYouMean(token.name, tokens)}add a definition "${token.name}" under "authTokens" or name one of: ${shortList(token.name, tokens)}`;
      problems.push(source.error('unknown-token', [...path, token.key], `"${token.key}" names auth token definition "${token.name}", which "authTokens" does not have: ${fix}`));
    }
  }
  return problems;
}

function addScript(name: string, scripts: readonly string[]): string {
  return `${didYouMean(name, scripts)}add a script "${name}" under "scripts" or name one of: ${shortList(name, scripts)}`;
}

/** "did you mean "x"? Otherwise " when one name is a likely typo, else nothing. */
function didYouMean(name: string, names: readonly string[]): string {
  const meant = likelyMeant(name, names);
  return meant === undefined ? '' : `did you mean "${meant}"? Otherwise `;
}

/** The names in the order the author wrote them, or the closest few when there are many. */
function shortList(name: string, names: readonly string[]): string {
  if (names.length <= 8) return names.join(', ');
  const closest = closestNames(name, names, 8);
  // Nothing close enough to compare: the first few, in the author's order.
  return (closest.length > 0 ? closest : names.slice(0, 8)).join(', ');
}

function unknownTarget(bot: Bot, fromScript: string, label: string, target: string): string {
  const scripts = Object.keys(bot.scripts);
  const idsOf = (script: string): string[] => bot.scripts[script]?.steps.flatMap((s) => (s.id === undefined ? [] : [s.id])) ?? [];
  const hash = target.indexOf('#');
  if (hash >= 0) {
    const script = target.slice(0, hash);
    const stepId = target.slice(hash + 1);
    if (!Object.hasOwn(bot.scripts, script)) return `${label} names script "${script}" (in "${target}"), which this bot does not have: ${addScript(script, scripts)}`;
    const ids = idsOf(script);
    const others = ids.length > 0 ? ` or name one of: ${shortList(stepId, ids)}` : '';
    return `${label} names step "${stepId}" of script "${script}", which that script does not have: ${didYouMean(stepId, ids)}add a step with "id": "${stepId}" to it${others}`;
  }
  const ids = idsOf(fromScript);
  const others = [ids.length > 0 ? ` or name one of: ${shortList(target, ids)}` : '', ` (or a script: ${shortList(target, scripts)})`].join('');
  return `${label} names step "${target}", which script "${fromScript}" does not have: ${didYouMean(target, [...ids, ...scripts])}add a step with "id": "${target}"${others}`;
}
