import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { PortRange } from './PortPool.js';
import { inIpv4Range, intToIpv4, ipv4ToInt, parseIpv4Range, type Ipv4Range } from './ipv4.js';

/** A port of this server that is not RTP (HTTP, SIP): media must never be sent to it. */
export interface ReservedPort {
  port: number;
  use: string;
}

export interface DestinationRules {
  /** Our RTP range: on one of our own addresses, these ports are our own sockets. */
  ports: PortRange;
  /** Addresses that are ours besides loopback and the interfaces' (the advertised and bound ones). */
  ownAddresses: string[];
  reservedPorts: ReservedPort[];
  /** CIDR ranges refused as destinations, besides the built-in ones. */
  deny: string[];
  allowMulticast: boolean;
  /** Ports below 1024 (system services) as destinations. */
  allowLowPorts: boolean;
}

const UNSPECIFIED = parseIpv4Range('0.0.0.0/8', 'deny');
const LOOPBACK = parseIpv4Range('127.0.0.0/8', 'deny');
const MULTICAST = parseIpv4Range('224.0.0.0/4', 'deny');
const RESERVED = parseIpv4Range('240.0.0.0/4', 'deny');
const BROADCAST = -1; // 255.255.255.255

// The rules, as #rule() names them.
const PERMITTED = 0;
const UNSPECIFIED_ADDRESS = 1;
const BROADCAST_ADDRESS = 2;
const MULTICAST_ADDRESS = 3;
const RESERVED_ADDRESS = 4;
const BAD_PORT = 5;
const LOW_PORT = 6;
const OWN_RTP_PORT = 7;
const OWN_RESERVED_PORT = 8;
const DENIED = 9;

/**
 * Where media may be sent. An SDP names any address it likes; without these rules an account
 * could aim the server at a third party (broadcast, a subnet, another service's port) or at
 * itself (our own RTP ports make a loop that never times out). Checked for every remote address
 * an SDP declares and every source learned by latching; consent (RtpTransport) then decides
 * whether a permitted destination has asked for media.
 */
export class DestinationPolicy {
  readonly #rules: DestinationRules;
  readonly #deny: Ipv4Range[];
  /** Our own addresses, as numbers (loopback is checked as a range). */
  readonly #own: Set<number>;
  /** Subnet-directed broadcast addresses of our interfaces. */
  readonly #broadcast: Set<number>;

  constructor(rules: DestinationRules, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()) {
    this.#rules = rules;
    this.#deny = rules.deny.map((text) => parseIpv4Range(text, 'rtpDeny'));
    this.#own = new Set();
    this.#broadcast = new Set([BROADCAST]);
    for (const a of rules.ownAddresses) {
      const ip = ipv4ToInt(a);
      if (ip !== null && ip !== 0) this.#own.add(ip);
    }
    for (const info of Object.values(interfaces).flat()) {
      if (info === undefined || info.family !== 'IPv4') continue;
      const ip = ipv4ToInt(info.address);
      const mask = ipv4ToInt(info.netmask);
      if (ip === null || mask === null) continue;
      this.#own.add(ip);
      if (mask !== -1 && mask !== -2) this.#broadcast.add(ip | ~mask);
    }
  }

  /** Why media must not go to address:port, or null when it may. */
  refusal(address: string, port: number): string | null {
    const ip = ipv4ToInt(address);
    if (ip === null) return `address ${address} is not an IPv4 literal`;
    return this.refusalOf(ip, port);
  }

  /** refusal() for an address already in numeric form (a packet's source). */
  refusalOf(ip: number, port: number): string | null {
    const rule = this.#rule(ip, port);
    if (rule === PERMITTED) return null;
    const where = `${intToIpv4(ip)}:${port}`;
    switch (rule) {
      case UNSPECIFIED_ADDRESS:
        return `media address ${where} is unspecified (0.0.0.0/8)`;
      case BROADCAST_ADDRESS:
        return `media address ${where} is a broadcast address`;
      case MULTICAST_ADDRESS:
        return `media address ${where} is multicast, which this server does not send to`;
      case RESERVED_ADDRESS:
        return `media address ${where} is in the reserved range 240.0.0.0/4`;
      case BAD_PORT:
        return `media port ${port} is out of range`;
      case LOW_PORT:
        return `media port ${port} is below 1024 (a system service)`;
      case OWN_RTP_PORT:
        return `media address ${where} is one of this server's own RTP ports`;
      case OWN_RESERVED_PORT:
        return `media address ${where} is this server's own ${this.#rules.reservedPorts.find((p) => p.port === port)!.use} port`;
      default:
        return `media address ${where} is in a denied range (${this.#deny[rule - DENIED].text})`;
    }
  }

  /** True when media may go to ip:port: the check latching runs per packet, which builds no string. */
  permits(ip: number, port: number): boolean {
    return this.#rule(ip, port) === PERMITTED;
  }

  /** Which rule refuses ip:port (DENIED + i for the i-th denied range), or PERMITTED. */
  #rule(ip: number, port: number): number {
    const r = this.#rules;
    if (inIpv4Range(ip, UNSPECIFIED)) return UNSPECIFIED_ADDRESS;
    if (this.#broadcast.has(ip)) return BROADCAST_ADDRESS;
    if (inIpv4Range(ip, MULTICAST) && !r.allowMulticast) return MULTICAST_ADDRESS;
    if (inIpv4Range(ip, RESERVED)) return RESERVED_ADDRESS;
    for (let i = 0; i < this.#deny.length; i++) if (inIpv4Range(ip, this.#deny[i])) return DENIED + i;
    if (!Number.isInteger(port) || port < 1 || port > 65535) return BAD_PORT;
    if (port < 1024 && !r.allowLowPorts) return LOW_PORT;
    if (this.#isOwn(ip)) {
      if (port >= r.ports.min && port <= r.ports.max) return OWN_RTP_PORT;
      for (const reserved of r.reservedPorts) if (reserved.port === port) return OWN_RESERVED_PORT;
    }
    return PERMITTED;
  }

  #isOwn(ip: number): boolean {
    return inIpv4Range(ip, LOOPBACK) || this.#own.has(ip);
  }
}
