// Replies go to the activity's serviceUrl while the HTTP answer waits. botbuilder's connector
// retries a refused connection for about 5 s and has no time-out at all for a server that never
// answers, so an unbounded send made the answer late (past the Bot Service's 15 s) or never.
// Here the answer waits a short while; the send goes on after it, and its failure is reported.

export interface SendBounds {
  /** How long the caller waits for the send; after that it goes on without a waiter. */
  waitMs: number;
  /** A send without an end by then counts as failed (the connector has no time-out of its own). */
  giveUpMs: number;
}

/**
 * Runs `send`, waiting for it at most `waitMs`. `failed` is called once, with a reason of our
 * own words (never the library's message), if the send fails or has not ended by `giveUpMs`.
 */
export async function sendWithin(
  send: () => Promise<unknown>,
  bounds: SendBounds,
  failed: (reason: string) => void,
  /** Takes the send once the caller stops waiting, so shutdown can wait for it. */
  background?: (work: Promise<void>) => void,
): Promise<void> {
  let reported = false;
  const report = (reason: string) => {
    if (reported) return;
    reported = true;
    failed(reason);
  };
  const givingUp = setTimeout(() => report(`no answer within ${bounds.giveUpMs} ms`), bounds.giveUpMs);
  givingUp.unref();
  const sending = send()
    .then(
      () => undefined,
      (error: unknown) => report(reasonOf(error)),
    )
    .finally(() => clearTimeout(givingUp));
  let waiting: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    waiting = setTimeout(resolve, bounds.waitMs);
  });
  await Promise.race([sending, waited]);
  // Past the wait the send is on its own; a failure after this is still reported.
  clearTimeout(waiting);
  background?.(sending);
}

/** An error code (ECONNREFUSED) or HTTP status, else the error's class: no message, which may quote the reply. */
function reasonOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return typeof error;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof statusCode === 'number') return `HTTP ${statusCode}`;
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
  return error instanceof Error ? error.name : 'unknown';
}
