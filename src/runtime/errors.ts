// Failures of the system (not of an author's service, which are outcomes a bot routes): each
// has a stable code, turned into an HTTP answer in one place (src/server/).
export type ErrorCode = 'busy' | 'interrupted' | 'unsupported-media-type' | 'too-large' | 'store-unavailable' | 'bad-request' | 'unauthorized' | 'forbidden' | 'not-found' | 'internal';

export class ParleyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ParleyError';
  }
}
