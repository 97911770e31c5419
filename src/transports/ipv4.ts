import { isIPv4 } from 'node:net';
import { InvalidArgumentError } from '../errors.js';
import { parseCidr } from '../net/ipAddress.js';

/** The dotted IPv4 address as a 32-bit number (host order, as the native records hold it), or null. */
export function ipv4ToInt(address: string): number | null {
  if (!isIPv4(address)) return null;
  const [a, b, c, d] = address.split('.').map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) | 0;
}

/** The dotted form of a 32-bit IPv4 address (host order). */
export function intToIpv4(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}

/** An IPv4 network: `base` already masked, both as 32-bit numbers. */
export interface Ipv4Range {
  base: number;
  mask: number;
  text: string;
}

/**
 * An IPv4 CIDR range ("a.b.c.d/n" or a lone address) in the numeric form the per-packet checks
 * use; parsed by the one strict CIDR parser (src/net/ipAddress.ts). Throws InvalidArgumentError
 * naming `field` for anything else, IPv6 included (media is IPv4 only).
 */
export function parseIpv4Range(text: string, field: string): Ipv4Range {
  const cidr = parseCidr(text, field);
  if (cidr.family !== 4) throw new InvalidArgumentError(field, `has "${text}", which is not an IPv4 range (media is IPv4 only)`);
  const mask = cidr.bits === 0 ? 0 : (~0 << (32 - cidr.bits)) | 0;
  const base = Number(cidr.value) | 0;
  return { base, mask, text: `${intToIpv4(base)}/${cidr.bits}` };
}

export function inIpv4Range(ip: number, range: Ipv4Range): boolean {
  return (ip & range.mask) === range.base;
}
