// What the runtime reports for /metrics, as an interface so the runtime does not depend on
// prom-client; the server implements it, tests and the CLI use the silent one.
export type SignInOutcome = 'ok' | 'refused' | 'unavailable' | 'throttled';
export type WebCallOutcome = 'ok' | 'error' | 'unauthorized';

export interface Metrics {
  turn(channel: string, seconds: number): void;
  signIn(outcome: SignInOutcome): void;
  tokenLookup(hit: boolean): void;
  webCall(outcome: WebCallOutcome, seconds: number): void;
}

export const silentMetrics: Metrics = { turn() {}, signIn() {}, tokenLookup() {}, webCall() {} };
