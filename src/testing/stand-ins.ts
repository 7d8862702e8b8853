// A test file's stand-ins in place of the network: the engine's `outbound` seam answers each
// call from the first stand-in that matches it, and keeps every call for `call` turns. A call
// no stand-in answers is kept too, and fails the test: nothing reaches the network.
import type { HttpRequest, HttpResult } from '../http/client.js';
import { maskValues, type Outbound, type OutboundPurpose } from '../http/outbound.js';
import { firstDifference } from './json-subset.js';
import type { StandIn, StandInReply } from './test-file.js';

export interface SeenCall {
  method: string;
  /** As sent (tests hold no real secrets; `shownUrl` masks them all the same). */
  url: string;
  /** The URL with the values the engine said to mask replaced by `***`. */
  shownUrl: string;
  headers: Record<string, string>;
  body: string;
  purpose: OutboundPurpose;
  /** The index of the stand-in that answered, or undefined when none did. */
  standIn: number | undefined;
}

export interface StandIns {
  outbound: Outbound;
  /** Every call, in the order made. */
  calls: SeenCall[];
}

export function standInsFor(services: readonly StandIn[]): StandIns {
  const used = services.map(() => 0);
  const calls: SeenCall[] = [];
  const outbound: Outbound = async (request, purpose) => {
    const headers = lowerCaseKeys(request.headers ?? {});
    const index = services.findIndex((service, i) => (service.times === undefined || used[i]! < service.times) && matches(service, request, headers));
    calls.push({
      method: request.method,
      url: request.url,
      shownUrl: maskValues(request.url, purpose.masked),
      headers,
      body: request.body ?? '',
      purpose,
      standIn: index < 0 ? undefined : index,
    });
    if (index < 0) return { ok: false, error: 'network', message: 'no stand-in answers this call' };
    used[index]! += 1;
    return answer(services[index]!.reply);
  };
  return { outbound, calls };
}

function matches(service: StandIn, request: HttpRequest, headers: Record<string, string>): boolean {
  if (service.method !== request.method || !sameAddress(service.url, request.url)) return false;
  const when = service.when;
  if (when === undefined) return true;
  return bodyHolds(when, request.body ?? '', headers);
}

/** What a `when` or a `call` turn may ask of a call's body and headers. */
export interface BodyExpectation {
  json?: unknown;
  form?: Record<string, string> | undefined;
  text?: string | undefined;
  headers?: Record<string, string> | undefined;
}

export function bodyHolds(expected: BodyExpectation, body: string, headers: Record<string, string>): boolean {
  return bodyDifference(expected, body, headers) === undefined;
}

/** The first way a call's body or headers differ from what is expected, in words. */
export function bodyDifference(expected: BodyExpectation, body: string, headers: Record<string, string>): { what: string; expected: unknown; got: unknown } | undefined {
  if (expected.text !== undefined && body !== expected.text) return { what: 'the body', expected: expected.text, got: body };
  if (expected.json !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { what: 'the JSON body', expected: expected.json, got: body === '' ? undefined : body };
    }
    const difference = firstDifference(expected.json, json);
    if (difference !== undefined) return { what: difference.at === '' ? 'the JSON body' : `"${difference.at}" in the JSON body`, expected: difference.expected, got: difference.got };
  }
  if (expected.form !== undefined) {
    const form = new URLSearchParams(body);
    for (const [name, value] of Object.entries(expected.form)) {
      if (form.get(name) !== value) return { what: `form field "${name}"`, expected: value, got: form.get(name) ?? undefined };
    }
  }
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const got = headers[name.toLowerCase()];
    if (got !== value) return { what: `header "${name}"`, expected: value, got };
  }
  return undefined;
}

/**
 * The same address: scheme, host, port and path alike; the query parameters the test names must
 * be there with those values, others may be too (a GET sign-in adds its answers to the query).
 */
export function sameAddress(expected: string, actual: string): boolean {
  let want: URL;
  let got: URL;
  try {
    want = new URL(expected);
    got = new URL(actual);
  } catch {
    return expected === actual;
  }
  if (want.protocol !== got.protocol || want.host !== got.host || want.pathname !== got.pathname) return false;
  for (const [name, value] of want.searchParams) if (!got.searchParams.getAll(name).includes(value)) return false;
  return true;
}

function answer(reply: StandInReply): HttpResult {
  if (reply.timeout === true) return { ok: false, error: 'timeout', message: 'the service did not answer in time (a stand-in that times out)' };
  const headers = lowerCaseKeys(reply.headers ?? {});
  if (reply.json !== undefined) headers['content-type'] ??= 'application/json';
  const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
  return { ok: true, status: reply.status ?? 200, headers, body };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
