import { describe, expect, it } from 'vitest';
import { isAllowedAddress } from './address-policy.js';

describe('isAllowedAddress', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '100.63.255.255', // just below carrier-grade NAT
    '100.128.0.0', // just above it
    '172.15.255.255', // just below 172.16/12
    '172.32.0.0', // just above it
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '64:ff9b::808:808', // NAT64 of 8.8.8.8
    '::808:808', // IPv4-compatible 8.8.8.8, judged as 8.8.8.8
  ])('allows the public address %s', (ip) => {
    expect(isAllowedAddress(ip, false)).toBe(true);
    expect(isAllowedAddress(ip, true)).toBe(true);
  });

  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback', '127.255.255.254'],
    ['loopback', '::1'],
    ['private', '10.0.0.1'],
    ['private', '172.16.0.1'],
    ['private', '172.31.255.255'],
    ['private', '192.168.1.1'],
    ['unique local', 'fc00::1'],
    ['unique local', 'fd12:3456:789a::1'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['carrier-grade NAT', '100.127.255.255'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped loopback, hex', '::ffff:7f00:1'],
    ['IPv4-mapped private', '::ffff:10.0.0.1'],
    ['IPv4-mapped private, hex', '::ffff:c0a8:101'],
    ['IPv4-compatible loopback', '::7f00:1'],
    ['IPv4-compatible loopback, dotted', '::127.0.0.1'],
    ['IPv4-compatible private', '::a00:1'],
  ])('refuses %s %s unless private networks are allowed', (_kind, ip) => {
    expect(isAllowedAddress(ip, false)).toBe(false);
    expect(isAllowedAddress(ip, true)).toBe(true);
  });

  it.each([
    ['cloud metadata', '169.254.169.254'],
    ['IPv4-mapped cloud metadata', '::ffff:169.254.169.254'],
    ['IPv4-mapped cloud metadata, hex', '::ffff:a9fe:a9fe'],
    ['AWS IPv6 metadata', 'fd00:ec2::254'],
    ['link-local', '169.254.0.1'],
    ['link-local', 'fe80::1'],
    ['link-local with a zone', 'fe80::1%eth0'],
    ['IPv4-compatible link-local', '::a9fe:a9fe'],
    ['unspecified', '0.0.0.0'],
    ['this network', '0.1.2.3'],
    ['unspecified', '::'],
    ['broadcast', '255.255.255.255'],
    ['multicast', '224.0.0.1'],
    ['multicast', '239.255.255.250'],
    ['multicast', 'ff02::1'],
    ['reserved', '240.0.0.1'],
    ['documentation', '192.0.2.1'],
    ['documentation', '2001:db8::1'],
    ['benchmarking', '198.18.0.1'],
    ['NAT64 of loopback', '64:ff9b::7f00:1'],
    ['NAT64 of cloud metadata', '64:ff9b::a9fe:a9fe'],
    ['NAT64 of a private address', '64:ff9b::a00:1'],
    ['6to4 of loopback', '2002:7f00:1::1'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['not an address', 'localhost'],
    ['not an address', ''],
    ['not an address', '999.1.1.1'],
  ])('always refuses %s %s', (_kind, ip) => {
    expect(isAllowedAddress(ip, false)).toBe(false);
    expect(isAllowedAddress(ip, true)).toBe(false);
  });
});
