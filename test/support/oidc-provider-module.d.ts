// oidc-provider ships no types: the little of it the tests use, typed here.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface TokenModel {
    accountId: string;
    clientId: string;
    scope?: string;
    destroy(): Promise<void>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: any[]) => void): this;
    AccessToken: { find(value: string): Promise<TokenModel | undefined> };
    RefreshToken: { find(value: string): Promise<TokenModel | undefined> };
  }
}
