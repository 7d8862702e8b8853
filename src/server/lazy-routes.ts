// Routes whose module is heavy and often unused (botbuilder and its Azure packages, some 55 MB):
// loaded only when their settings are given, in the background from the start, so the server is
// ready without waiting for them and their first request waits at most for what is left.
import type { RequestHandler } from 'express';

export function lazyRoutes(load: () => Promise<RequestHandler>): RequestHandler {
  const loaded = load();
  // A module that fails to load fails its requests (500, logged), not the server's start.
  loaded.catch(() => undefined);
  return (req, res, next) => {
    loaded.then((handler) => handler(req, res, next), next);
  };
}
