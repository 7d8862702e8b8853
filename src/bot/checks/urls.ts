// The URLs a bot calls: the address (scheme, user, host, port) is the author's literal text, so
// no answer can choose which server is called, and the whole is an absolute http(s) URL.
import { placeholderInAddress, renderText, renderUrl } from '../../templates/render.js';
import { compileTemplate } from '../../templates/template.js';
import type { Bot } from '../bot.js';
import type { BotSource, JsonPath } from '../bot-source.js';
import { allSteps } from '../bot-steps.js';
import type { Problem } from '../problems.js';

export function checkUrls(bot: Bot, source: BotSource): Problem[] {
  const sites: Array<{ path: JsonPath; url: string }> = [];
  for (const [id, definition] of Object.entries(bot.authTokens)) {
    const urls: Record<string, string | undefined> =
      definition.mode === 'credentials'
        ? { url: definition.url }
        : definition.mode === 'web'
          ? { beginUrl: definition.beginUrl, endUrl: definition.endUrl }
          : definition.mode === 'email'
            ? { sendUrl: definition.sendUrl, confirmUrl: definition.confirmUrl }
            : { issuer: definition.issuer, authorizationUrl: definition.authorizationUrl, tokenUrl: definition.tokenUrl, userinfoUrl: definition.userinfoUrl };
    for (const [key, url] of Object.entries(urls)) if (url !== undefined) sites.push({ path: ['authTokens', id, key], url });
  }
  for (const { step, path } of allSteps(bot)) if (step.type === 'webService') sites.push({ path: [...path, 'url'], url: step.url });

  const problems: Problem[] = [];
  for (const { path, url } of sites) {
    const inAddress = placeholderInAddress(url);
    // "api.example.com/{id}" has its placeholder in the path; what it lacks is a scheme.
    if (inAddress !== undefined && (startsWithPlaceholder(url) || schemeOf(renderText(url, standIn)) !== undefined)) {
      problems.push(
        source.error(
          'placeholder-in-address',
          path,
          `{${inAddress}} stands in the scheme, user, host or port of this URL, so a value could choose which server is called: write everything up to the first / after the host as plain text (e.g. "https://api.example.com/accounts/{id}"), and use placeholders only in the path, the query or the fragment`,
        ),
      );
      continue;
    }
    const fault = urlFault(url);
    if (fault !== undefined) problems.push(source.error('bad-url', path, fault));
  }
  return problems;
}

const standIn = (): string => 'x';

function startsWithPlaceholder(url: string): boolean {
  const [first, second] = compileTemplate(url).parts;
  return typeof first !== 'string' || (first.trim() === '' && second !== undefined);
}

/**
 * What is wrong with a URL template that would fail at every call, found by filling it as a
 * call would, with a harmless stand-in for every value.
 */
function urlFault(url: string): string | undefined {
  try {
    renderUrl(url, standIn);
    return undefined;
  } catch {
    const example = 'e.g. "https://api.example.com/accounts/{id}"';
    const scheme = schemeOf(renderText(url, standIn));
    if (scheme !== undefined && scheme !== 'http:' && scheme !== 'https:')
      return `this URL starts with "${scheme}", and services are called over http or https only: start it with https:// (${example})`;
    return `this is not an absolute URL: write the whole address, starting with https:// (${example})`;
  }
}

// The scheme a URL is written with, also when the rest of it does not parse.
function schemeOf(url: string): string | undefined {
  try {
    return new URL(url).protocol;
  } catch {
    return /^[\u0000-\u0020]*([A-Za-z][A-Za-z0-9+.-]*:)/.exec(url)?.[1]?.toLowerCase();
  }
}
