// A Twilio webhook's answer: TwiML, written as it is. express' res.send would parse and write
// the content type again and look at freshness headers, work a webhook's answer never needs
// and pays for on every message.
import type { Response } from 'express';

export function answerTwiml(res: Response, twiml: string): void {
  res.setHeader('content-type', 'text/xml; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(twiml));
  res.end(twiml);
}
