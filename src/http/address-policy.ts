// Which IP addresses outbound calls may reach. Bots name the URLs their calls go to and users
// fill parts of them, so without this a bot could be steered at the cloud metadata service,
// at Redis on loopback or at anything else inside the network the server runs in.
import ipaddr from 'ipaddr.js';

/** Decides whether a connection to `ip` (a literal IPv4 or IPv6 address) may be made. */
export type AddressPolicy = (ip: string) => boolean;

// Ranges that ALLOW_PRIVATE_NETWORKS opens, for development and tests.
const PRIVATE_V4 = new Set(['loopback', 'private', 'carrierGradeNat']);
const PRIVATE_V6 = new Set(['loopback', 'uniqueLocal']);

// Metadata services stay closed even with private networks allowed: no development setup
// needs them, and they hand out cloud credentials. 169.254.169.254 is link-local, which is
// always closed; AWS's IPv6 endpoint sits in fc00::/7, which private networks open.
const METADATA = ipaddr.parseCIDR('fd00:ec2::254/128');
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/**
 * True when a connection to `ip` is allowed. Default-deny: only ordinary public unicast
 * addresses pass, plus loopback, private (RFC 1918, fc00::/7) and carrier-grade NAT when
 * `allowPrivate`. Anything that does not parse is refused.
 */
export function isAllowedAddress(ip: string, allowPrivate: boolean): boolean {
  if (!ipaddr.isValid(ip)) return false;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns IPv4-mapped IPv6 (::ffff:127.0.0.1) into the IPv4 address it stands for.
    address = ipaddr.process(ip);
  } catch {
    return false;
  }
  return address.kind() === 'ipv4' ? isAllowedV4(address as ipaddr.IPv4, allowPrivate) : isAllowedV6(address as ipaddr.IPv6, allowPrivate);
}

function isAllowedV4(address: ipaddr.IPv4, allowPrivate: boolean): boolean {
  const range = address.range();
  return range === 'unicast' || (allowPrivate && PRIVATE_V4.has(range));
}

function isAllowedV6(address: ipaddr.IPv6, allowPrivate: boolean): boolean {
  if (address.match(METADATA)) return false;
  const range = address.range();
  if (range === 'rfc6052') {
    // NAT64 (64:ff9b::/96): an IPv6-only network reaches IPv4 hosts through these, so judge
    // the IPv4 address inside. The local-use 64:ff9b:1::/48 carries no fixed embedding: refused.
    return address.match(NAT64_WELL_KNOWN) && isAllowedV4(embeddedV4(address), false);
  }
  if (range === 'unicast') {
    // IPv4-compatible addresses (::7f00:1, deprecated) are not a range of their own in
    // ipaddr.js; like the mapped ones they are judged as the IPv4 address they carry (which
    // is also how ipaddr.js reads the dotted spelling ::127.0.0.1).
    return address.match(IPV4_COMPATIBLE) ? isAllowedV4(embeddedV4(address), allowPrivate) : true;
  }
  return allowPrivate && PRIVATE_V6.has(range);
}

function embeddedV4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = address.toByteArray().slice(12);
  return new ipaddr.IPv4(bytes);
}

/** The policy of ALLOW_PRIVATE_NETWORKS unset (`false`) or set (`true`). */
export const publicOnly: AddressPolicy = (ip) => isAllowedAddress(ip, false);
export const privateAllowed: AddressPolicy = (ip) => isAllowedAddress(ip, true);
