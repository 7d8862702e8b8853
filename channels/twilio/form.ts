// Twilio posts its webhooks as forms. Anything else on a Twilio route (no body, JSON, text,
// XML, multipart) is refused before the signature check or a turn can read fields from it.
//
// Read here rather than by express.urlencoded: that parser is qs, whose general nesting rules
// a Twilio form never needs, and a middleware chain of its own. A form of Twilio's ~20 fields
// read by raw-body (body-parser's own reader) and node:querystring costs a third of that on
// every webhook (`npm run bench`). What the webhook reads is what it read before: flat fields, a
// repeated name as a list, at most 1,000 fields (413 past that) in at most 100 kB. Unlike
// before, a compressed or non-UTF-8 form is refused (415): Twilio sends neither.
import { parse } from 'node:querystring';
import type { Request } from 'express';
import getRawBody from 'raw-body';
import { ParleyError } from '../../src/runtime/errors.js';
import { isRecord, type Json } from '../fields.js';

const formType = 'application/x-www-form-urlencoded';
const limit = 100 * 1024;
// Twilio sends UTF-8; a form that says otherwise would be read wrong, so it is refused.
const utf8 = /^utf-?8$/i;
const maxFields = 1000;

// The forms this module parsed: a server of several bots reads the form to pick the bot (by
// `To`) and the bot's route finds it in req.body; a body some other parser left there is not one.
const parsed = new WeakSet<object>();

/**
 * The posted form's fields (a name given twice is a list, as qs gives it). 415 for a body that
 * is not a UTF-8 form, 413 past 100 kB or 1,000 fields, 400 for a body whose length is not what
 * it said.
 */
export async function readTwilioForm(req: Request): Promise<Json> {
  if (isRecord(req.body) && parsed.has(req.body)) return req.body;
  if (req.is(formType) !== formType) throw new ParleyError('unsupported-media-type', 'a Twilio webhook is a form (application/x-www-form-urlencoded)');
  const type = req.headers['content-type'] ?? '';
  const charset = type.includes(';') ? /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1] : undefined;
  if (charset !== undefined && !utf8.test(charset)) throw new ParleyError('unsupported-media-type', 'a Twilio webhook is a UTF-8 form');
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') throw new ParleyError('unsupported-media-type', 'a Twilio webhook is not compressed');
  let text: string;
  try {
    text = await getRawBody(req, { length: req.headers['content-length'], limit, encoding: 'utf-8' });
  } catch (error) {
    // What is left of a refused body is read and dropped, so a kept-alive connection can carry
    // the next request; raw-body's refusals (too large, cut short) are 4xx errors the error
    // handler answers as they are.
    req.resume();
    throw error;
  }
  if (fieldCountOver(text, maxFields)) throw new ParleyError('too-large', `a Twilio webhook has at most ${maxFields} fields`);
  // A null-prototype object: a field named __proto__ or constructor is only a field.
  const fields = parse(text, '&', '=', { maxKeys: 0 }) as Json;
  parsed.add(fields);
  req.body = fields;
  return fields;
}

function fieldCountOver(text: string, max: number): boolean {
  let count = 1;
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) if (++count > max) return true;
  return false;
}
