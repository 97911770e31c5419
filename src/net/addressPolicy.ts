// Which IP addresses the server may contact on an account's behalf (media URLs, status
// callbacks). Anything an account names is untrusted: without this, "fetch this URL" reaches the
// server's own loopback services, the private network behind it and cloud metadata endpoints
// (169.254.169.254). Only the public internet is allowed, unless the operator allows more.
import { inCidr, parseCidr, parseIp, type Cidr, type Ip } from './ipAddress.js';

/** Networks that are not the public internet. */
const REFUSED: readonly Cidr[] = [
  '0.0.0.0/8', // "this network", 0.0.0.0 reaches the local host
  '10.0.0.0/8', // private
  '100.64.0.0/10', // carrier-grade NAT: the provider's side of the network
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local, cloud metadata services
  '172.16.0.0/12', // private
  '192.168.0.0/16', // private
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and the broadcast address 255.255.255.255
  '::/96', // unspecified (::), loopback (::1) and the deprecated IPv4-compatible form
  'fc00::/7', // unique local (IPv6 private)
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated, still private)
  'ff00::/8', // multicast
].map((text) => parseCidr(text, 'REFUSED'));

/**
 * IPv6 forms that carry an IPv4 address which the network may end up contacting: such an address
 * is judged as that IPv4 address, or ::ffff:127.0.0.1 would reach loopback.
 */
const EMBEDS_IPV4: readonly { net: Cidr; shift: bigint }[] = [
  { net: parseCidr('::ffff:0:0/96', 'EMBEDS_IPV4'), shift: 0n }, // IPv4-mapped (dual-stack sockets)
  { net: parseCidr('64:ff9b::/96', 'EMBEDS_IPV4'), shift: 0n }, // NAT64 well-known prefix (RFC 6052)
  { net: parseCidr('2002::/16', 'EMBEDS_IPV4'), shift: 80n }, // 6to4: the IPv4 relay address in bits 16-47
];

/** The IPv4 address that an IPv6 address stands for, or the address itself. */
function judgedAs(ip: Ip): Ip {
  const form = EMBEDS_IPV4.find((e) => inCidr(ip, e.net));
  return form ? { family: 4, value: (ip.value >> form.shift) & 0xffff_ffffn } : ip;
}

export class AddressPolicy {
  readonly #allow: readonly Cidr[];

  /**
   * `allow`: CIDR ranges (either family) contacted even though they are refused by default, e.g.
   * "10.1.0.0/16" for an internal media server. Parsed strictly; a bad one throws
   * InvalidArgumentError naming `field`.
   */
  constructor(allow: readonly string[] = [], field = 'fetchAllow') {
    this.#allow = allow.map((text) => parseCidr(text, field));
  }

  /**
   * Whether `address` (an IP literal as dns.lookup returns it, maybe with an IPv6 zone) may be
   * contacted. Anything that does not parse is refused.
   */
  allows(address: string): boolean {
    const ip = parseIp(address.replace(/%[^%]*$/, ''));
    if (!ip) return false;
    const judged = judgedAs(ip);
    if (this.#allow.some((net) => inCidr(ip, net) || inCidr(judged, net))) return true;
    return !REFUSED.some((net) => inCidr(judged, net));
  }
}
