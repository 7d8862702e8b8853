// Twilio posts its webhooks as forms. Anything else on a Twilio route (no body, JSON, text,
// XML, multipart) is refused before the signature check or a turn can read fields from it.
//
// Read here rather than by express.urlencoded: that parser is qs, whose general nesting rules
// a Twilio form never needs, and a middleware chain of its own. A form of Twilio's ~20 fields
// read by raw-body and node:querystring costs a third of that on every webhook (`npm run
// bench`); what qs with `extended: false` gives (flat fields, repeated names as lists) is the
// same.
import { parse } from 'node:querystring';
import type { Request } from 'express';
import getRawBody from 'raw-body';
import { ParleyError } from '../../src/runtime/errors.js';
import { isRecord, type Json } from '../fields.js';

const formType = 'application/x-www-form-urlencoded';
const limit = 100 * 1024;
// Twilio sends UTF-8; a form that says otherwise would be read wrong, so it is refused.
const utf8 = /^utf-?8$/i;

/**
 * The posted form's fields (a name given twice is a list, as qs gives it). 415 for a body that
 * is not a UTF-8 form, 413 past 100 kB, 400 for a body whose length is not what it said.
 */
export async function readTwilioForm(req: Request): Promise<Json> {
  // Read once, into req.body as express' parsers leave it: a server of several bots reads the
  // form to pick the bot (by `To`), and the bot's route finds it there.
  if (isRecord(req.body)) return req.body;
  if (req.is(formType) !== formType) throw new ParleyError('unsupported-media-type', 'a Twilio webhook is a form (application/x-www-form-urlencoded)');
  const type = req.headers['content-type'] ?? '';
  const charset = type.includes(';') ? /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1] : undefined;
  if (charset !== undefined && !utf8.test(charset)) throw new ParleyError('unsupported-media-type', 'a Twilio webhook is a UTF-8 form');
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') throw new ParleyError('unsupported-media-type', 'a Twilio webhook is not compressed');
  // raw-body's refusals (too large, cut short) are 4xx errors the error handler answers as they are.
  const text = await getRawBody(req, { length: req.headers['content-length'], limit, encoding: 'utf-8' });
  // A null-prototype object: a field named __proto__ or constructor is only a field.
  const fields = parse(text) as Json;
  req.body = fields;
  return fields;
}
