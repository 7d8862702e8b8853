import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicOnly } from './address-policy.js';
import { agentFor, BlockedAddressError, closeHttp } from './guarded-agent.js';

// The client checks literal hosts before it sends; these tests use the agent on its own to
// show that the connection layer refuses as well, whoever uses it.
describe('agentFor', () => {
  let server: Server;
  let port = 0;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests += 1;
      res.end('reached');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await closeHttp();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses to connect to a blocked IP literal', async () => {
    await expect(request(`http://127.0.0.1:${port}/`, { dispatcher: agentFor(publicOnly) })).rejects.toBeInstanceOf(BlockedAddressError);
    expect(requests).toBe(0);
  });

  it('refuses a name that resolves only to blocked addresses', async () => {
    await expect(request(`http://localhost:${port}/`, { dispatcher: agentFor(publicOnly) })).rejects.toBeInstanceOf(BlockedAddressError);
    expect(requests).toBe(0);
  });

  it('connects when the policy allows the resolved address', async () => {
    const onlyLoopback = (ip: string): boolean => ip === '127.0.0.1';
    const response = await request(`http://localhost:${port}/`, { dispatcher: agentFor(onlyLoopback) });
    expect(await response.body.text()).toBe('reached');
  });

  it('keeps one agent per policy', () => {
    expect(agentFor(publicOnly)).toBe(agentFor(publicOnly));
  });
});
