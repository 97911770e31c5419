import { InvalidArgumentError } from '../errors.js';
import type { PortRange } from '../transports/PortPool.js';

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
  /** A participant that sends nothing for this long leaves with reason media-timeout. */
  mediaTimeoutMs: number;
  rtcpIntervalMs: number;
}

export const DEFAULT_MEDIA_CONFIG: MediaConfig = {
  advertisedAddress: '127.0.0.1',
  bindAddress: '127.0.0.1',
  ports: { min: 20000, max: 29999 },
  latching: false,
  mediaTimeoutMs: 30_000,
  rtcpIntervalMs: 5000,
};

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

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
  if (!(c.mediaTimeoutMs >= 500 && c.mediaTimeoutMs <= 3_600_000)) {
    throw new InvalidArgumentError('mediaTimeoutMs', 'must be from 500 ms to 1 hour');
  }
  if (!(c.rtcpIntervalMs >= 100 && c.rtcpIntervalMs <= 60_000)) {
    throw new InvalidArgumentError('rtcpIntervalMs', 'must be from 100 ms to 60 s');
  }
  return c;
}
