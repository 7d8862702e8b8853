// Why a call was refused by the address policy, in words an author can act on: which address,
// what kind it is, and whether a setting opens it. The client's own message names only the
// host (it also reaches server logs); the console can say more.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { isAllowedAddress } from '../http/address-policy.js';

const kinds: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private network address',
  uniqueLocal: 'a private (unique local) network address',
  carrierGradeNat: 'a carrier-grade NAT address',
  linkLocal: 'a link-local address, where cloud metadata services answer',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
  rfc6052: 'a NAT64 address of a network that is not public',
};

/**
 * `host` is the client's (`host[:port]`, the first word of its message). Names are looked up
 * again to say what they resolve to; an answer that does not come is told as it is.
 */
export async function explainBlockedAddress(host: string, allowPrivate: boolean): Promise<string> {
  const name = hostnameOf(host);
  if (isIP(name) !== 0) return `${name} is ${describe(name, allowPrivate)}`;
  const addresses = await lookup(name, { all: true }).catch(() => []);
  const blocked = addresses.find(({ address }) => !isAllowedAddress(address, allowPrivate));
  if (blocked === undefined) return `${name} resolves to an address outbound calls may not reach`;
  return `${name} resolves to ${blocked.address}, ${describe(blocked.address, allowPrivate)}`;
}

function describe(ip: string, allowPrivate: boolean): string {
  let kind = 'an address outbound calls may not reach';
  try {
    kind = kinds[ipaddr.process(ip).range()] ?? kind;
  } catch {
    // Not an address ipaddr.js reads: said as the policy says it.
  }
  if (!allowPrivate && isAllowedAddress(ip, true)) return `${kind}; set ALLOW_PRIVATE_NETWORKS=true for local services`;
  return `${kind}, which no setting lets a bot's calls reach`;
}

function hostnameOf(host: string): string {
  try {
    return new URL(`http://${host}`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return host;
  }
}
