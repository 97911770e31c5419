// IP addresses and CIDR networks of both families as numbers (bigint), so that one comparison
// serves IPv4 and IPv6 alike. Parsing is strict: what an operator types into an allow list must
// mean exactly one network, or be refused with the setting's name.
import { isIPv4, isIPv6 } from 'node:net';
import { InvalidArgumentError } from '../errors.js';

export interface Ip {
  family: 4 | 6;
  /** The address as an unsigned number: 32 bits for IPv4, 128 for IPv6. */
  value: bigint;
}

/** A network: `base` has no bits set past its prefix. */
export interface Cidr extends Ip {
  bits: number;
}

const WIDTH = { 4: 32, 6: 128 } as const;

/** The address, or null when `text` is not exactly one IPv4 or IPv6 address (no zone, no brackets). */
export function parseIp(text: string): Ip | null {
  if (isIPv4(text)) return { family: 4, value: ipv4Value(text) };
  if (isIPv6(text) && !text.includes('%')) {
    const value = ipv6Value(text);
    return value === null ? null : { family: 6, value };
  }
  return null;
}

/**
 * Parses "address/bits", or a lone address (a single host). Throws InvalidArgumentError naming
 * `field` for anything else, including an address with bits set past the prefix ("10.0.0.1/8"):
 * that is a typo more often than a meaning, and silently masking it would widen the range.
 */
export function parseCidr(text: string, field: string): Cidr {
  const m = /^([^/]+)(?:\/(0|[1-9]\d{0,2}))?$/.exec(text);
  const ip = m ? parseIp(m[1]) : null;
  if (!m || !ip) throw new InvalidArgumentError(field, `has "${text}", which is not an IPv4 or IPv6 address or CIDR range`);
  const bits = m[2] === undefined ? WIDTH[ip.family] : Number(m[2]);
  if (bits > WIDTH[ip.family]) throw new InvalidArgumentError(field, `has "${text}", whose prefix is longer than ${WIDTH[ip.family]} bits`);
  const base = ip.value & mask(ip.family, bits);
  if (base !== ip.value) throw new InvalidArgumentError(field, `has "${text}", whose address has bits set past its /${bits} prefix`);
  return { family: ip.family, value: base, bits };
}

/** Whether `ip` lies in `net` (never across families). */
export function inCidr(ip: Ip, net: Cidr): boolean {
  return ip.family === net.family && (ip.value & mask(net.family, net.bits)) === net.value;
}

function mask(family: 4 | 6, bits: number): bigint {
  const width = BigInt(WIDTH[family]);
  return ((1n << width) - 1n) ^ ((1n << (width - BigInt(bits))) - 1n);
}

/** Dotted quad (already validated by isIPv4) to number. */
function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
}

/** Validated IPv6 text (one "::" at most, maybe a dotted IPv4 tail) to number. */
function ipv6Value(text: string): bigint | null {
  let s = text;
  const tail = s.lastIndexOf(':');
  if (s.includes('.')) {
    const v4 = s.slice(tail + 1);
    if (!isIPv4(v4)) return null;
    const n = Number(ipv4Value(v4));
    s = `${s.slice(0, tail + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = s.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
