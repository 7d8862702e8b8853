// Twilio posts its webhooks as forms. Anything else on a Twilio route (no body, JSON, text,
// XML, multipart) is refused before the signature check or a turn can read fields from it.
import express, { type RequestHandler } from 'express';
import { ParleyError } from '../../src/runtime/errors.js';
import { isRecord } from '../fields.js';

const formType = 'application/x-www-form-urlencoded';
const parseForm = express.urlencoded({ extended: false, limit: '100kb' });

/** 415 for a body that is not a form, else the parsed form in `req.body`. */
export function twilioForm(): RequestHandler[] {
  return [
    (req, _res, next) => {
      if (req.is(formType) !== formType) throw new ParleyError('unsupported-media-type', 'a Twilio webhook is a form (application/x-www-form-urlencoded)');
      next();
    },
    parseForm,
    (req, _res, next) => {
      if (!isRecord(req.body)) throw new ParleyError('bad-request', 'the form could not be read');
      next();
    },
  ];
}
