// Where media may go: the rules an SDP's addresses (and latched sources) are checked against.
import { describe, expect, it } from 'vitest';
import { DestinationPolicy, type DestinationRules } from '../../src/transports/DestinationPolicy.js';
import { ipv4ToInt } from '../../src/transports/ipv4.js';

const RULES: DestinationRules = {
  ports: { min: 20000, max: 29999 },
  ownAddresses: ['192.0.2.10'],
  reservedPorts: [{ port: 8000, use: 'HTTP' }, { port: 5060, use: 'SIP' }],
  deny: [],
  allowMulticast: false,
  allowLowPorts: false,
};
/** A host with one interface, 10.1.2.3/24, besides loopback. */
const INTERFACES = {
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
  eth0: [{ address: '10.1.2.3', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '02:00:00:00:00:01', internal: false, cidr: '10.1.2.3/24' }],
};
const policy = (rules: Partial<DestinationRules> = {}) => new DestinationPolicy({ ...RULES, ...rules }, INTERFACES);

describe('DestinationPolicy', () => {
  it('allows an ordinary peer, on loopback or elsewhere, outside our own ports', () => {
    const p = policy();
    expect(p.refusal('203.0.113.5', 40000)).toBeNull();
    expect(p.refusal('127.0.0.1', 40000)).toBeNull();
    expect(p.refusal('10.1.2.77', 20000)).toBeNull(); // another host of our subnet, any port
    expect(p.refusal('192.0.2.10', 30000)).toBeNull(); // ourselves, outside the RTP range and reserved ports
  });

  it.each([
    ['0.0.0.0', 4000, /unspecified/],
    ['0.1.2.3', 4000, /unspecified/],
    ['255.255.255.255', 4000, /broadcast/],
    ['10.1.2.255', 4000, /broadcast/], // eth0's subnet broadcast
    ['224.0.0.1', 4000, /multicast/],
    ['239.255.255.250', 4000, /multicast/],
    ['240.0.0.1', 4000, /reserved/],
    ['203.0.113.5', 1, /below 1024/],
    ['203.0.113.5', 1023, /below 1024/],
    ['203.0.113.5', 0, /out of range/],
    ['127.0.0.1', 20000, /own RTP ports/],
    ['127.0.0.1', 29999, /own RTP ports/],
    ['127.9.9.9', 25000, /own RTP ports/], // all of 127/8 is us
    ['192.0.2.10', 24000, /own RTP ports/], // the advertised address
    ['10.1.2.3', 24000, /own RTP ports/], // an interface's address
    ['127.0.0.1', 8000, /own HTTP port/],
    ['10.1.2.3', 5060, /own SIP port/],
    ['not-an-address', 4000, /not an IPv4 literal/],
  ])('refuses %s:%i', (address, port, reason) => {
    expect(policy().refusal(address, port)).toMatch(reason);
  });

  it('refuses a denied range, and lets the settings allow multicast and low ports', () => {
    const p = policy({ deny: ['198.51.100.0/24', '203.0.113.7'], allowMulticast: true, allowLowPorts: true });
    expect(p.refusal('198.51.100.200', 40000)).toMatch(/denied range \(198\.51\.100\.0\/24\)/);
    expect(p.refusal('203.0.113.7', 40000)).toMatch(/denied range \(203\.0\.113\.7\/32\)/);
    expect(p.refusal('203.0.113.8', 40000)).toBeNull();
    expect(p.refusal('239.1.1.1', 40000)).toBeNull();
    expect(p.refusal('203.0.113.8', 100)).toBeNull();
    expect(p.refusal('255.255.255.255', 4000)).toMatch(/broadcast/); // never allowed
  });

  it('answers the same for an address in numeric form (a packet source)', () => {
    const p = policy();
    expect(p.refusalOf(ipv4ToInt('127.0.0.1')!, 20002)).toMatch(/own RTP ports/);
    expect(p.refusalOf(ipv4ToInt('203.0.113.5')!, 40000)).toBeNull();
    expect(p.permits(ipv4ToInt('127.0.0.1')!, 20002)).toBe(false);
    expect(p.permits(ipv4ToInt('203.0.113.5')!, 40000)).toBe(true);
  });
});
