// Packet and codec counters of a media thread's transports, for /metrics.
import type { TransportStats } from './TransportStats.js';

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
