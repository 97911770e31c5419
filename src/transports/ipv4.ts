import { isIPv4 } from 'node:net';

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
