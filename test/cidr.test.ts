import { describe, expect, test } from 'vitest';
import { cidrContains, cidrContainsAddress, cidrProblem, formatCidr, parseCidr } from '../src/cidr';

describe('CIDRs', () => {
  test.each(['10.0.0.0/8', '0.0.0.0/0', '192.168.1.1/32', '::/0', 'fc00::/7', '2001:db8::/32', 'fe80::/10', '2001:db8:0:1::/64', '1::/16'])('%s is accepted', c => {
    expect(cidrProblem(c)).toBeUndefined();
    expect(formatCidr(parseCidr(c)!)).toBe(c);
  });

  test.each([
    ['10.0.0.1/8', 'bits set beyond the prefix length (the network is 10.0.0.0/8)'],
    ['010.0.0.0/8', 'not an IPv4 or IPv6 CIDR'],
    ['10.0.0.0/33', 'not an IPv4 or IPv6 CIDR'],
    ['10.0.0.0', 'not an IPv4 or IPv6 CIDR'],
    ['10.0.0.0/08', 'not an IPv4 or IPv6 CIDR'],
    ['256.0.0.0/8', 'not an IPv4 or IPv6 CIDR'],
    ['FC00::/7', 'not in canonical form (fc00::/7)'],
    ['2001:0db8::/32', 'not in canonical form (2001:db8::/32)'],
    ['2001:db8:0:0:0:0:0:0/32', 'not in canonical form (2001:db8::/32)'],
    ['::ffff:0:0/96', 'an IPv4-mapped IPv6 address (write the IPv4 CIDR)'],
    ['1:2:3:4:5:6:7:8:9/64', 'not an IPv4 or IPv6 CIDR'],
    ['1::2::3/64', 'not an IPv4 or IPv6 CIDR'],
    ['fe80::/129', 'not an IPv4 or IPv6 CIDR'],
  ])('%s is refused: %s', (c, why) => {
    expect(cidrProblem(c)).toBe(why);
    expect(parseCidr(c)).toBeUndefined();
  });

  test('RFC 5952: the longest zero run is compressed, the first on a tie, never a single group', () => {
    expect(formatCidr({ family: 6, address: 0x20010db8000000000001000000000000n, prefix: 128 })).toBe('2001:db8:0:0:1::/128');
    expect(formatCidr({ family: 6, address: 0x20010db8000000010000000000000000n, prefix: 128 })).toBe('2001:db8:0:1::/128');
    expect(formatCidr({ family: 6, address: 0x20010db8000100010001000100010001n, prefix: 128 })).toBe('2001:db8:1:1:1:1:1:1/128');
    expect(formatCidr({ family: 6, address: 0x20010000000000010000000000010001n, prefix: 128 })).toBe('2001::1:0:0:1:1/128');
  });

  test('containment is by family and prefix', () => {
    expect(cidrContains(parseCidr('10.0.0.0/8')!, parseCidr('10.96.0.0/12')!)).toBe(true);
    expect(cidrContains(parseCidr('10.96.0.0/12')!, parseCidr('10.0.0.0/8')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseCidr('fc00::/7')!)).toBe(false);
    expect(cidrContainsAddress(parseCidr('fc00::/7')!, 'fd00::1')).toBe(true);
    expect(cidrContainsAddress(parseCidr('172.16.0.0/12')!, '172.32.0.1')).toBe(false);
  });
});
