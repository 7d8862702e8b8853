import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeHttp, request, type HttpResult } from './client.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface TestServer {
  port: number;
  seen: Seen[];
  connections: number;
  server: Server;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: Server[] = [];

async function serve(handler: Handler, host = '127.0.0.1'): Promise<TestServer> {
  const state: TestServer = { port: 0, seen: [], connections: 0, server: undefined as unknown as Server };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      state.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on('connection', () => (state.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  state.port = (server.address() as AddressInfo).port;
  state.server = server;
  servers.push(server);
  return state;
}

const ok: Handler = (_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end('{"token":"abc"}');
};

function expectError(result: HttpResult, error: string): string {
  expect(result).toMatchObject({ ok: false, error });
  return result.ok ? '' : result.message;
}

afterEach(async () => {
  await closeHttp();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

afterAll(closeHttp);

describe('request', () => {
  it('gets the status, headers and body when private networks are allowed', async () => {
    const api = await serve(ok);
    const result = await request({ method: 'GET', url: `http://127.0.0.1:${api.port}/token?x=1`, timeoutMs: 2000 }, { allowPrivate: true });
    expect(result).toMatchObject({ ok: true, status: 200, body: '{"token":"abc"}' });
    expect(result.ok && result.headers['content-type']).toBe('application/json');
    expect(api.seen[0]).toMatchObject({ method: 'GET', url: '/token?x=1' });
  });

  it('sends the method, headers and body', async () => {
    const api = await serve(ok);
    await request(
      { method: 'POST', url: `http://127.0.0.1:${api.port}/login`, headers: { 'Content-Type': 'application/json', Authorization: 'Bearer t' }, body: '{"a":1}', timeoutMs: 2000 },
      { allowPrivate: true },
    );
    expect(api.seen[0]).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(api.seen[0]?.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer t' });
  });

  it('passes a 5xx answer through for the caller to judge', async () => {
    const api = await serve((_req, res) => {
      res.statusCode = 500;
      res.end('down');
    });
    const result = await request({ method: 'GET', url: `http://127.0.0.1:${api.port}/`, timeoutMs: 2000 }, { allowPrivate: true });
    expect(result).toMatchObject({ ok: true, status: 500, body: 'down' });
  });

  it('reuses its connection for the next call to the same server', async () => {
    const api = await serve(ok);
    for (let i = 0; i < 5; i += 1) {
      await request({ method: 'GET', url: `http://127.0.0.1:${api.port}/`, timeoutMs: 2000 }, { allowPrivate: true });
      // undici hands the socket back to its pool a moment after the body ends.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(api.seen).toHaveLength(5);
    expect(api.connections).toBe(1);
  });

  describe('when private networks are not allowed', () => {
    it.each([
      (port: number) => `http://127.0.0.1:${port}/`,
      (port: number) => `http://127.1:${port}/`,
      (port: number) => `http://0x7f000001:${port}/`,
      (port: number) => `http://2130706433:${port}/`,
      (port: number) => `http://0177.0.0.1:${port}/`,
      (port: number) => `http://[::ffff:127.0.0.1]:${port}/`,
      (port: number) => `http://[::ffff:7f00:1]:${port}/`,
      (port: number) => `http://localhost:${port}/`,
    ])('refuses a loopback address spelled %s, and the server receives nothing', async (spell) => {
      const api = await serve(ok);
      const result = await request({ method: 'GET', url: `${spell(api.port)}?key=SECRET`, timeoutMs: 2000 }, { allowPrivate: false });
      const message = expectError(result, 'blocked-address');
      expect(message).not.toContain('SECRET');
      expect(api.seen).toHaveLength(0);
      expect(api.connections).toBe(0);
    });

    it('refuses the cloud metadata address', async () => {
      const result = await request({ method: 'GET', url: 'http://169.254.169.254/latest/meta-data/', timeoutMs: 2000 }, { allowPrivate: false });
      expectError(result, 'blocked-address');
    });

    it('refuses the cloud metadata address even when private networks are allowed', async () => {
      const result = await request({ method: 'GET', url: 'http://169.254.169.254/latest/meta-data/', timeoutMs: 2000 }, { allowPrivate: true });
      expectError(result, 'blocked-address');
    });
  });

  describe('redirects', () => {
    // 127.0.0.2 stands in for a private address and 127.0.0.1 for a public one: Linux routes
    // all of 127/8 to the loopback interface.
    const onlyFirstLoopback = { allowPrivate: false, addressPolicy: (ip: string) => ip === '127.0.0.1' };

    it('refuses a redirect from an allowed server to a blocked address, and the blocked one receives nothing', async () => {
      const inner = await serve(ok, '127.0.0.2');
      const outer = await serve((_req, res) => {
        res.writeHead(302, { location: `http://127.0.0.2:${inner.port}/admin` });
        res.end();
      });
      const result = await request({ method: 'GET', url: `http://127.0.0.1:${outer.port}/`, timeoutMs: 2000 }, onlyFirstLoopback);
      expectError(result, 'blocked-address');
      expect(outer.seen).toHaveLength(1);
      expect(inner.seen).toHaveLength(0);
      expect(inner.connections).toBe(0);
    });

    it('follows a 302 after a POST as a GET without the body', async () => {
      const api = await serve((req, res) => {
        if (req.url === '/start') {
          res.writeHead(302, { location: '/next' });
          res.end();
        } else ok(req, res, '');
      });
      const result = await request(
        { method: 'POST', url: `http://127.0.0.1:${api.port}/start`, headers: { 'content-type': 'application/json' }, body: '{"p":1}', timeoutMs: 2000 },
        { allowPrivate: true },
      );
      expect(result).toMatchObject({ ok: true, status: 200 });
      expect(api.seen.map((s) => [s.method, s.url, s.body])).toEqual([
        ['POST', '/start', '{"p":1}'],
        ['GET', '/next', ''],
      ]);
      expect(api.seen[1]?.headers['content-type']).toBeUndefined();
    });

    it('keeps the method and body on a 307', async () => {
      const api = await serve((req, res) => {
        if (req.url === '/start') {
          res.writeHead(307, { location: '/next' });
          res.end();
        } else ok(req, res, '');
      });
      await request({ method: 'PUT', url: `http://127.0.0.1:${api.port}/start`, body: 'same', timeoutMs: 2000 }, { allowPrivate: true });
      expect(api.seen.map((s) => [s.method, s.url, s.body])).toEqual([
        ['PUT', '/start', 'same'],
        ['PUT', '/next', 'same'],
      ]);
    });

    it('gives up after maxRedirects', async () => {
      const api = await serve((req, res) => {
        res.writeHead(302, { location: `/hop${api.seen.length}` });
        res.end();
      });
      const result = await request({ method: 'GET', url: `http://127.0.0.1:${api.port}/`, timeoutMs: 2000, maxRedirects: 2 }, { allowPrivate: true });
      expectError(result, 'too-many-redirects');
      expect(api.seen).toHaveLength(3);
    });

    it('refuses a redirect to a scheme other than http and https', async () => {
      const api = await serve((_req, res) => {
        res.writeHead(302, { location: 'file:///etc/passwd' });
        res.end();
      });
      const result = await request({ method: 'GET', url: `http://127.0.0.1:${api.port}/`, timeoutMs: 2000 }, { allowPrivate: true });
      expectError(result, 'bad-url');
    });

    it('does not carry credentials to another host', async () => {
      const other = await serve(ok, '127.0.0.2');
      const first = await serve((_req, res) => {
        res.writeHead(302, { location: `http://127.0.0.2:${other.port}/` });
        res.end();
      });
      const result = await request(
        { method: 'GET', url: `http://127.0.0.1:${first.port}/`, headers: { authorization: 'Bearer SECRET', 'x-api-key': 'SECRET', accept: 'application/json' }, timeoutMs: 2000 },
        { allowPrivate: true },
      );
      expect(result).toMatchObject({ ok: true, status: 200 });
      expect(other.seen[0]?.headers.authorization).toBeUndefined();
      expect(other.seen[0]?.headers['x-api-key']).toBeUndefined();
      expect(other.seen[0]?.headers.accept).toBe('application/json');
    });

    it('does not resend a body to another host, and returns the redirect instead', async () => {
      const other = await serve(ok, '127.0.0.2');
      const first = await serve((_req, res) => {
        res.writeHead(307, { location: `http://127.0.0.2:${other.port}/` });
        res.end();
      });
      const result = await request({ method: 'POST', url: `http://127.0.0.1:${first.port}/`, body: 'password=SECRET', timeoutMs: 2000 }, { allowPrivate: true });
      expect(result).toMatchObject({ ok: true, status: 307 });
      expect(other.seen).toHaveLength(0);
    });
  });

  describe('limits', () => {
    it('times out against a server that never answers', async () => {
      const api = await serve(() => {});
      const started = Date.now();
      const result = await request({ method: 'GET', url: `http://127.0.0.1:${api.port}/?token=SECRET`, timeoutMs: 300 }, { allowPrivate: true });
      const message = expectError(result, 'timeout');
      expect(message).not.toContain('SECRET');
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('times out when the body never ends', async () => {
      const api = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
      });
      const result = await request({ method: 'GET', url: `http://127.0.0.1:${api.port}/`, timeoutMs: 300 }, { allowPrivate: true });
      expectError(result, 'timeout');
    });

    it('stops reading a body that grows past maxBytes', async () => {
      let written = 0;
      const api = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 120);
        const pump = (): void => {
          while (written < 2 * 1024 * 1024) {
            written += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
      });
      const result = await request({ method: 'GET', url: `http://127.0.0.1:${api.port}/`, timeoutMs: 5000 }, { allowPrivate: true });
      expectError(result, 'too-large');
    });

    it('refuses a body whose content-length is too large before reading it', async () => {
      const api = await serve((_req, res) => {
        res.writeHead(200, { 'content-length': String(2 * 1024 * 1024) });
        res.write('x');
        // never finishes: only the declared length can end this quickly
      });
      const started = Date.now();
      const result = await request({ method: 'GET', url: `http://127.0.0.1:${api.port}/`, timeoutMs: 3000 }, { allowPrivate: true });
      expectError(result, 'too-large');
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('accepts a body of exactly maxBytes', async () => {
      const api = await serve((_req, res) => res.end('12345'));
      const result = await request({ method: 'GET', url: `http://127.0.0.1:${api.port}/`, timeoutMs: 2000, maxBytes: 5 }, { allowPrivate: true });
      expect(result).toMatchObject({ ok: true, body: '12345' });
    });
  });

  describe('failures', () => {
    it.each(['not a url', 'ftp://example.com/file', 'https://user:SECRET@example.com/'])('refuses %s as a bad URL', async (url) => {
      const message = expectError(await request({ method: 'GET', url, timeoutMs: 2000 }, { allowPrivate: true }), 'bad-url');
      expect(message).not.toContain('SECRET');
    });

    it('reports a refused connection as a network failure without the query', async () => {
      const api = await serve(ok);
      const port = api.port;
      await new Promise((resolve) => api.server.close(resolve));
      const result = await request({ method: 'GET', url: `http://127.0.0.1:${port}/?token=SECRET`, timeoutMs: 2000 }, { allowPrivate: true });
      const message = expectError(result, 'network');
      expect(message).not.toContain('SECRET');
    });

    it('reports a header the client cannot send without quoting it', async () => {
      const api = await serve(ok);
      const result = await request(
        { method: 'GET', url: `http://127.0.0.1:${api.port}/`, headers: { authorization: 'SECRET\r\nx: 1' }, timeoutMs: 2000 },
        { allowPrivate: true },
      );
      const message = expectError(result, 'network');
      expect(message).not.toContain('SECRET');
      expect(api.seen).toHaveLength(0);
    });
  });
});
