import type { PortPoolStats } from '../transports/PortPool.js';
import type { TransportTotals } from '../transports/TransportTotals.js';

/** What a media host reports for /metrics. */
export interface HostMetrics {
  conferences: number;
  participants: number;
  transports: TransportTotals;
  tick: { counts: number[]; sumMs: number; count: number };
  /** The host's RTP port pool. */
  rtpPorts: PortPoolStats;
  latenessP99Ms: number;
}
