import { InvalidArgumentError } from '../errors.js';
import type { PortRange } from '../transports/PortPool.js';
import { parseIpv4Range } from '../transports/ipv4.js';
import type { ReservedPort } from '../transports/DestinationPolicy.js';

/** Network settings of the media plane, the same for every media thread. */
export interface MediaConfig {
  /** Address written in our SDP (ROOMTONE_RTP_IP). */
  advertisedAddress: string;
  /** Local address the RTP sockets bind to. */
  bindAddress: string;
  /** RTP ports (ROOMTONE_RTP_PORTS); split evenly between media workers. */
  ports: PortRange;
  /** Send media back to where it comes from, for phones behind NAT. */
  latching: boolean;
  /** A participant whose peer sends nothing (RTP or RTCP) for this long leaves with reason media-timeout. */
  mediaTimeoutMs: number;
  /** The same for a peer that holds us (its SDP says sendonly or inactive): Asterisk's rtpholdtimeout. */
  holdTimeoutMs: number;
  /** Media goes only to a peer heard from within this long (RTP or RTCP from its address). */
  consentMs: number;
  /** Before the peer's first packet, media goes out for this long at most (early media, NAT opening). */
  consentEarlyMs: number;
  /** CIDR ranges never sent media, besides unspecified, broadcast, reserved and (unless allowed) multicast. */
  deny: string[];
  allowMulticast: boolean;
  /** Destination ports below 1024. */
  allowLowPorts: boolean;
  /** This server's other ports (HTTP, SIP), never a media destination on its own addresses. */
  reservedPorts: ReservedPort[];
  /** The largest fraction (0..1] of a media thread's RTP ports that one tenant (account) may hold. */
  portShare: number;
  rtcpIntervalMs: number;
}

export const DEFAULT_MEDIA_CONFIG: MediaConfig = {
  advertisedAddress: '127.0.0.1',
  bindAddress: '127.0.0.1',
  ports: { min: 20000, max: 29999 },
  latching: false,
  mediaTimeoutMs: 30_000,
  holdTimeoutMs: 300_000,
  consentMs: 30_000,
  consentEarlyMs: 2000,
  deny: [],
  allowMulticast: false,
  allowLowPorts: false,
  reservedPorts: [],
  portShare: 0.5,
  rtcpIntervalMs: 5000,
};

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function checkRange(field: string, value: number, min: number, max: number, what: string): void {
  if (!(value >= min && value <= max)) throw new InvalidArgumentError(field, `must be from ${what}`);
}

export function resolveMediaConfig(partial: Partial<MediaConfig> = {}): MediaConfig {
  const c = { ...DEFAULT_MEDIA_CONFIG, ...partial };
  for (const field of ['advertisedAddress', 'bindAddress'] as const) {
    const m = IPV4.exec(c[field]);
    if (!m || m.slice(1).some((x) => Number(x) > 255)) throw new InvalidArgumentError(field, 'must be an IPv4 address');
  }
  const { min, max } = c.ports;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || max - min < 3) {
    throw new InvalidArgumentError('ports', 'must be a range within 1024-65535 of at least 4 ports');
  }
  checkRange('mediaTimeoutMs', c.mediaTimeoutMs, 500, 3_600_000, '500 ms to 1 hour');
  checkRange('holdTimeoutMs', c.holdTimeoutMs, 500, 86_400_000, '500 ms to 1 day');
  checkRange('consentMs', c.consentMs, 500, 3_600_000, '500 ms to 1 hour');
  checkRange('consentEarlyMs', c.consentEarlyMs, 0, 60_000, '0 to 60 s');
  checkRange('rtcpIntervalMs', c.rtcpIntervalMs, 100, 60_000, '100 ms to 60 s');
  checkRange('portShare', c.portShare, 0.001, 1, 'above 0 to 1');
  if (!Array.isArray(c.deny)) throw new InvalidArgumentError('deny', 'must be a list of CIDR ranges');
  for (const text of c.deny) parseIpv4Range(text, 'deny');
  for (const r of c.reservedPorts) {
    if (!Number.isInteger(r.port) || r.port < 0 || r.port > 65535) throw new InvalidArgumentError('reservedPorts', 'must hold port numbers');
  }
  return c;
}
