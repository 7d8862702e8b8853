// The request an auth service gets, as an Auth Token definition describes it (`credentials`'
// sign-in call, `email`'s confirm call): the URL, the extra `fields` and the `headers` are
// templates; the fields (and the answers) go in a JSON or form body, or in the query of a GET.
import type { Lookup } from '../templates/template.js';
import { renderHeader, renderText, renderUrl, type OnMissing } from '../templates/render.js';

export interface AuthRequestShape {
  method: 'POST' | 'GET';
  url: string;
  encoding: 'json' | 'form';
  fields?: Record<string, string> | undefined;
  headers?: Record<string, string> | undefined;
}

export interface AuthRequest {
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The `fields` as rendered (the account they name is counted by the back-off). */
  fields: Record<string, string>;
}

/** Throws a TemplateError (never holding a value) when a template cannot be filled. */
export function authRequest(shape: AuthRequestShape, answers: Record<string, string>, lookup: Lookup, missing: OnMissing): AuthRequest {
  const fields: Record<string, string> = {};
  let headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(shape.fields ?? {})) fields[name] = renderText(template, lookup, missing);
  for (const [name, template] of Object.entries(shape.headers ?? {})) headers[name] = renderHeader(template, lookup, missing);
  let url = renderUrl(shape.url, lookup, missing);
  const sent = { ...answers, ...fields };
  let body: string | undefined;
  if (shape.method === 'GET') {
    const withQuery = new URL(url);
    for (const [name, value] of Object.entries(sent)) withQuery.searchParams.append(name, value);
    url = withQuery.toString();
  } else if (shape.encoding === 'form') {
    body = new URLSearchParams(sent).toString();
    headers = { 'content-type': 'application/x-www-form-urlencoded', ...headers };
  } else {
    body = JSON.stringify(sent);
    headers = { 'content-type': 'application/json', ...headers };
  }
  return body === undefined ? { url, headers, fields } : { url, headers, body, fields };
}
