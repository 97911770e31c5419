import { InvalidArgumentError } from '../errors.js';
import type { PortRange } from '../transports/PortPool.js';
import { validateThreadPriority } from './threadPriority.js';

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
  /**
   * How each media worker thread asks to be scheduled: SCHED_RR at `mediaRealtime` (1-99;
   * ROOMTONE_MEDIA_REALTIME, 0 = off), else nice `mediaNice` (-20..19, 0 = as started; ROOMTONE_MEDIA_NICE).
   * A tick that waits behind other work for a core is late however fast it is, which is why
   * media servers run their media above the rest (FreeSWITCH's unit asks for SCHED_RR).
   * Both need root or CAP_SYS_NICE; without it the thread stays as it was and says so once.
   */
  mediaRealtime: number;
  mediaNice: number;
}

export const DEFAULT_MEDIA_CONFIG: MediaConfig = {
  advertisedAddress: '127.0.0.1',
  bindAddress: '127.0.0.1',
  ports: { min: 20000, max: 29999 },
  latching: false,
  mediaTimeoutMs: 30_000,
  rtcpIntervalMs: 5000,
  mediaRealtime: 0,
  mediaNice: 0,
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
  validateThreadPriority({ realtime: c.mediaRealtime, nice: c.mediaNice });
  return c;
}
