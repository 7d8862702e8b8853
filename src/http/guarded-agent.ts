// The connection layer of the outbound client: every socket it opens goes to an address the
// policy allows. Hostnames are checked after DNS resolution, in the lookup that net.connect
// uses, so the address checked is the address connected to (a name that resolves to a public
// address when checked and to 127.0.0.1 when used cannot slip through); the socket's remote
// address is checked once more when it connects.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { AddressPolicy } from './address-policy.js';

/** Raised inside the connector when the policy refuses an address; the client reports it as 'blocked-address'. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'PARLEY_BLOCKED_ADDRESS';

  constructor(host: string) {
    super(`${host} is an address outbound calls may not reach`);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) {
        callback(error, '');
        return;
      }
      // Only the allowed addresses are offered to net.connect; a name with none is refused.
      const allowed = addresses.filter((entry) => policy(entry.address));
      const first = allowed[0];
      if (first === undefined) {
        callback(new BlockedAddressError(hostname), '');
        return;
      }
      if (options.all === true) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

function guardedConnector(policy: AddressPolicy): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(policy) });
  return (options, callback) => {
    const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
    // net.connect skips the lookup for an IP literal, so literals are judged here.
    if (isIP(host) !== 0 && !policy(host)) {
      callback(new BlockedAddressError(host), null);
      return;
    }
    connect(options, (error, socket) => {
      if (error !== null) {
        callback(error, null);
        return;
      }
      const remote = (socket as Socket).remoteAddress;
      if (remote === undefined || !policy(remote)) {
        socket.destroy();
        callback(new BlockedAddressError(host), null);
        return;
      }
      callback(null, socket);
    });
  };
}

// One agent per policy, so connections are kept alive and reused across calls.
const agents = new Map<AddressPolicy, Agent>();

/** The shared agent whose connections obey `policy`. */
export function agentFor(policy: AddressPolicy): Agent {
  let agent = agents.get(policy);
  if (agent === undefined) {
    agent = new Agent({ connect: guardedConnector(policy) });
    agents.set(policy, agent);
  }
  return agent;
}

/** Closes every agent's connections (tests, shutdown); the next call opens new ones. */
export async function closeHttp(): Promise<void> {
  const closing = [...agents.values()].map((agent) => agent.close());
  agents.clear();
  await Promise.all(closing);
}
