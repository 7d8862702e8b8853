// What the runtime reports for /metrics, as an interface so the runtime does not depend on
// prom-client; the server implements it, tests and the CLI use the silent one.
export type SignInOutcome = 'ok' | 'refused' | 'unavailable' | 'throttled';
export type WebCallOutcome = 'ok' | 'error' | 'unauthorized';
/** A delivery the store had seen: a platform's retry (answered again, run once) or a replay (refused). */
export type DuplicateKind = 'retry' | 'replay';
/**
 * What went wrong, for an operator's "errors by kind": a turn that failed, a store that did not
 * answer, a session written under a running turn, a turn interrupted by shutdown. The server
 * adds the HTTP refusals (see src/server/errors.ts).
 */
export type RuntimeErrorKind = 'turn-failed' | 'store-unavailable' | 'session-conflict' | 'interrupted';
/** `paused`: failures earned a user (or an account) a pause; `refused`: a try came during one. */
export type BackOffEvent = 'paused' | 'refused';
/** A store call: which one, how long it took, whether it failed. */
export type StoreOperation = string;

export interface Metrics {
  turn(channel: string, seconds: number): void;
  /** `mode`: the definition's sign-in mode (`credentials`, …). */
  signIn(outcome: SignInOutcome, mode?: string): void;
  tokenLookup(hit: boolean): void;
  webCall(outcome: WebCallOutcome, seconds: number): void;
  duplicate(channel: string, kind: DuplicateKind): void;
  /** Replies of a turn that outlived its webhook, sent afterwards (or not). */
  late(channel: string, outcome: 'sent' | 'failed'): void;
  /** A turn that queued for its conversation's lock (another turn held it). */
  lockWait(seconds: number, outcome: 'acquired' | 'timed-out'): void;
  error(kind: RuntimeErrorKind): void;
  backOff(event: BackOffEvent): void;
  /** Present when store calls are to be timed: createEngine then wraps the store (src/stores/instrumented-store.ts). */
  storeCall?(operation: StoreOperation, seconds: number, failed: boolean): void;
}

export const silentMetrics: Metrics = {
  turn() {},
  signIn() {},
  tokenLookup() {},
  webCall() {},
  duplicate() {},
  late() {},
  lockWait() {},
  error() {},
  backOff() {},
};
