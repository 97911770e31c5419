import { isIPv4 } from 'node:net';
import { InvalidArgumentError } from '../errors.js';

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

/** Parses "a.b.c.d/n" (or a lone address, /32); throws InvalidArgumentError naming `field`. */
export function parseIpv4Range(text: string, field: string): Ipv4Range {
  const m = /^([\d.]+)(?:\/(\d{1,2}))?$/.exec(text.trim());
  const ip = m ? ipv4ToInt(m[1]) : null;
  const bits = m?.[2] === undefined ? 32 : Number(m[2]);
  if (ip === null || bits > 32) throw new InvalidArgumentError(field, `has "${text}", which is not an IPv4 address or CIDR range`);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) | 0;
  return { base: ip & mask, mask, text: `${intToIpv4(ip & mask)}/${bits}` };
}

export function inIpv4Range(ip: number, range: Ipv4Range): boolean {
  return (ip & range.mask) === range.base;
}
