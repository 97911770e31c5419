import type { PortPoolStats } from '../transports/PortPool.js';
import type { TransportStats } from '../transports/TransportStats.js';

/** Upper bounds (ms) of the tick-duration histogram buckets. */
export const TICK_BUCKETS_MS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40] as const;

/** Tick durations of every conference on a media thread, counted in place (no allocation). */
export class TickHistogram {
  readonly counts = new Float64Array(TICK_BUCKETS_MS.length + 1);
  sumMs = 0;
  count = 0;

  observe(ms: number): void {
    let i = 0;
    while (i < TICK_BUCKETS_MS.length && ms > TICK_BUCKETS_MS[i]) i++;
    this.counts[i]++;
    this.sumMs += ms;
    this.count++;
  }
}

/** Packet and codec counters of a media thread, summed over live and departed participants. */
export interface TransportTotals {
  packetsIn: number;
  packetsOut: number;
  /** Outgoing packets that were a participant's own Opus packet, sent without an encode. */
  packetsForwarded: number;
  /** Frames not sent to peers that had not shown themselves within the consent period. */
  framesWithheld: number;
  bytesIn: number;
  bytesOut: number;
  drops: Record<string, number>;
  decodeMs: number;
  encodeMs: number;
}

export function emptyTotals(): TransportTotals {
  return { packetsIn: 0, packetsOut: 0, packetsForwarded: 0, framesWithheld: 0, bytesIn: 0, bytesOut: 0, drops: {}, decodeMs: 0, encodeMs: 0 };
}

export function addTransport(into: TransportTotals, s: TransportStats): TransportTotals {
  into.packetsIn += s.packetsIn;
  into.packetsOut += s.outbound.packets;
  into.packetsForwarded += s.outbound.forwardedPackets;
  into.framesWithheld += s.withheldFrames;
  into.bytesIn += s.bytesIn;
  into.bytesOut += s.outbound.bytes;
  into.decodeMs += s.inbound.decodeMs;
  into.encodeMs += s.outbound.encodeMs;
  for (const [reason, n] of Object.entries(s.drops)) into.drops[reason] = (into.drops[reason] ?? 0) + (n ?? 0);
  return into;
}

export function addTotals(into: TransportTotals, t: TransportTotals): TransportTotals {
  into.packetsIn += t.packetsIn;
  into.packetsOut += t.packetsOut;
  into.packetsForwarded += t.packetsForwarded;
  into.framesWithheld += t.framesWithheld;
  into.bytesIn += t.bytesIn;
  into.bytesOut += t.bytesOut;
  into.decodeMs += t.decodeMs;
  into.encodeMs += t.encodeMs;
  for (const [reason, n] of Object.entries(t.drops)) into.drops[reason] = (into.drops[reason] ?? 0) + n;
  return into;
}

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
