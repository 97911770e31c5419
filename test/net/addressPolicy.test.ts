// The outbound address policy: every refused range in both families, the IPv6 forms that carry
// an IPv4 address, public examples (documentation ranges, used as values only: never contacted),
// the allow list, and strict CIDR parsing.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { AddressPolicy } from '../../src/net/addressPolicy.js';
import { inCidr, parseCidr, parseIp } from '../../src/net/ipAddress.js';

const strict = new AddressPolicy();

describe('AddressPolicy: refused by default', () => {
  const refused: Record<string, string[]> = {
    'loopback': ['127.0.0.1', '127.255.255.254', '127.1.2.3', '::1'],
    'private': ['10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.254', '192.168.0.1', '192.168.255.255', 'fc00::1', 'fd12:3456:789a::1', 'fdff:ffff::1'],
    'link-local': ['169.254.0.1', '169.254.169.254', 'fe80::1', 'fe80::1%eth0', 'febf:ffff::1'],
    'site-local (deprecated)': ['fec0::1', 'feff:ffff::1'],
    'CGNAT': ['100.64.0.1', '100.127.255.254'],
    'multicast': ['224.0.0.1', '239.255.255.250', 'ff02::1', 'ff0e::101'],
    'unspecified': ['0.0.0.0', '0.1.2.3', '::'],
    'broadcast and reserved': ['255.255.255.255', '240.0.0.1', '250.1.2.3'],
    'IPv4-mapped IPv6 of a refused IPv4': ['::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '0:0:0:0:0:ffff:c0a8:101'],
    'NAT64 of a refused IPv4': ['64:ff9b::127.0.0.1', '64:ff9b::a00:1', '64:ff9b::192.168.1.1'],
    'IPv4-compatible (deprecated)': ['::127.0.0.1', '::10.0.0.1'],
    '6to4 of a refused IPv4': ['2002:7f00:1::1', '2002:a00:1::'],
  };
  for (const [range, addresses] of Object.entries(refused)) {
    it(`refuses ${range}`, () => {
      for (const a of addresses) expect(strict.allows(a), a).toBe(false);
    });
  }

  it('refuses what is not an IP address', () => {
    for (const a of ['', 'localhost', '127.0.0.1.', '01.2.3.4', '1.2.3', '[::1]', '203.0.113.5/32', ' 203.0.113.5']) expect(strict.allows(a), a).toBe(false);
  });

  it('allows public addresses, just past the edges of the refused ranges', () => {
    const allowed = [
      '203.0.113.5', '198.51.100.7', '192.0.2.1', // IPv4 documentation ranges
      '2001:db8::1', '2001:db8:ffff::42', '3fff::1', // IPv6 documentation ranges
      '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255', '128.0.0.0', '1.0.0.0',
      '169.253.255.255', '169.255.0.0', '172.15.255.255', '172.32.0.0', '192.167.255.255', '192.169.0.0', '223.255.255.255',
      'fbff:ffff::1', 'fe00::1', 'fe7f:ffff::1', // beside fc00::/7 and fe80::/10
      '::ffff:203.0.113.5', '64:ff9b::203.0.113.5', '2002:cb00:7105::1', // IPv6 forms of a public IPv4
    ];
    for (const a of allowed) expect(strict.allows(a), a).toBe(true);
  });
});

describe('AddressPolicy: the allow list', () => {
  it('overrides the refusals for its ranges only', () => {
    const p = new AddressPolicy(['127.0.0.0/8', '10.1.0.0/16', 'fd00::/8', '::1/128']);
    for (const a of ['127.0.0.1', '127.9.9.9', '10.1.2.3', 'fd00::2', '::1', '::ffff:127.0.0.1', '::ffff:10.1.0.9', '64:ff9b::10.1.0.1']) expect(p.allows(a), a).toBe(true);
    for (const a of ['10.2.0.1', '192.168.1.1', '169.254.169.254', 'fe80::1', '::ffff:10.2.0.1', 'fc00::1']) expect(p.allows(a), a).toBe(false);
    expect(p.allows('203.0.113.5')).toBe(true); // public stays allowed
  });

  it('takes single hosts, and IPv6 ranges that cover mapped addresses', () => {
    const host = new AddressPolicy(['127.0.0.2']);
    expect(host.allows('127.0.0.2')).toBe(true);
    expect(host.allows('127.0.0.1')).toBe(false);
    const mapped = new AddressPolicy(['::ffff:0:0/96']);
    expect(mapped.allows('::ffff:127.0.0.1')).toBe(true);
    expect(mapped.allows('127.0.0.1')).toBe(false); // the IPv4 range itself is not in an IPv6 range
    expect(new AddressPolicy(['0.0.0.0/0', '::/0']).allows('169.254.169.254')).toBe(true);
  });

  it('parses CIDR ranges strictly, naming the field', () => {
    const bad = [
      '', ' ', '10.0.0.0/', '10.0.0.0/33', '10.0.0.0/08', '10.0.0.0/-1', '10.0.0/8', '010.0.0.0/8', '10.0.0.0 /8', ' 10.0.0.0/8',
      '10.0.0.1/8', // host bits set
      'fd00::1/8', '::/129', 'fe80::1%eth0/64', '[::1]/128', 'localhost', '10.0.0.0/8,10.1.0.0/16', '10.0.0.0/8/8', '::ffff:1.2.3/96',
    ];
    for (const text of bad) {
      const e = (() => {
        try {
          new AddressPolicy([text], 'ROOMTONE_FETCH_ALLOW');
        } catch (err) {
          return err;
        }
      })();
      expect(e, JSON.stringify(text)).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).field).toBe('ROOMTONE_FETCH_ALLOW');
    }
    expect(parseCidr('10.0.0.0/8', 'f')).toEqual({ family: 4, value: 10n << 24n, bits: 8 });
    expect(parseCidr('2001:db8::/32', 'f')).toEqual({ family: 6, value: 0x20010db8n << 96n, bits: 32 });
    expect(parseCidr('0.0.0.0/0', 'f').bits).toBe(0);
    expect(parseCidr('::/0', 'f').bits).toBe(0);
  });

  it('parses IPv6 in every spelling to the same number', () => {
    const spellings = ['::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:0001', '0::FFFF:7F00:1'];
    const values = spellings.map((s) => parseIp(s)?.value);
    expect(new Set(values).size).toBe(1);
    expect(values[0]).toBe((0xffffn << 32n) | 0x7f000001n);
    expect(inCidr(parseIp('2001:db8::1')!, parseCidr('2001:db8::/32', 'f'))).toBe(true);
    expect(inCidr(parseIp('203.0.113.5')!, parseCidr('::/0', 'f'))).toBe(false); // never across families
  });
});
