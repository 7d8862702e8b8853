// The floor of the stack for POST /twilio/sms: express, the form parser, Twilio's signature
// check, one GET and one SET of a Redis key with ioredis, and a TwiML string. Nothing else: no
// interpreter, no lock, no de-duplication, no logging. Parley's webhook is measured against it.
import type { Server } from 'node:http';
import express from 'express';
import { Redis } from 'ioredis';
import twilio from 'twilio';

export interface BareHandlerOptions {
  port: number;
  redisUrl: string;
  authToken: string;
  /** The origin Twilio signs against (scheme, host and port), without the path. */
  publicUrl: string;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startBareHandler(options: BareHandlerOptions): Promise<RunningServer> {
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  const app = express();
  app.post('/twilio/sms', express.urlencoded({ extended: false, limit: '100kb' }), async (req, res) => {
    const fields = req.body as Record<string, string>;
    if (!twilio.validateRequest(options.authToken, req.get('x-twilio-signature') ?? '', options.publicUrl + req.originalUrl, fields)) {
      res.status(403).end();
      return;
    }
    const key = `bare:${fields.From ?? ''}`;
    const seen = Number((await redis.get(key)) ?? 0);
    await redis.set(key, String(seen + 1), 'EX', 900);
    res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response><Message>What is your name?</Message></Response>');
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  return {
    url: `http://127.0.0.1:${options.port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}
