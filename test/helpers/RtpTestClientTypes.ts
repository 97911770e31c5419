// Options and records of RtpTestClient.
import type { OpusEncoderSettings } from '../../src/codecs/OpusEncoder.js';

export type TestCodec = 'opus' | 'PCMU';

export interface RtpTestClientOptions {
  codec?: TestCodec;
  /** Offer a=rtcp-mux (default true); without it roomtone sends RTCP to port + 1, which nobody reads. */
  rtcpMux?: boolean;
  /** Declare our SSRC in the offer (default true): roomtone then accepts only that SSRC. */
  declareSsrc?: boolean;
  /** Seeds the SSRC and first sequence number / timestamp (default 1). */
  seed?: number;
  /** Opus encoder settings for sendSignal (default 32 kbit/s, complexity 5). */
  opus?: Partial<OpusEncoderSettings>;
  /** Received packets kept at most (default 60,000: 20 minutes); further ones are only counted. */
  maxRecorded?: number;
  /**
   * Offer the RFC 6464 audio level extension (default false) and send each packet's frame level
   * (-dBov of its RMS, 127 for digital silence) in a one-byte-header extension (see audioLevel.ts).
   */
  audioLevels?: boolean;
  /**
   * Send RTCP receiver reports as a real endpoint does (default true): one at connect(), then
   * every 5 s, to roomtone's RTCP port. They keep roomtone's consent to send to us even when we
   * send no RTP.
   */
  rtcpReports?: boolean;
}

/**
 * Impairments applied to each packet independently, from a seeded PRNG (same seed, same
 * network). Delays are relative to the packet's slot, start + k × 20 ms.
 */
export interface Impairments {
  /** Probability (0..1) that a packet is never sent. */
  loss?: number;
  /**
   * Each packet leaves at a uniform random time within ±jitterMs of slot + jitterMs, i.e.
   * 0..2 × jitterMs after its slot (a live source cannot send before its audio exists). A
   * spread over 20 ms reorders packets.
   */
  jitterMs?: number;
  /** Probability (0..1) that a packet is held back a further `reorderMs`, behind later ones. */
  reorder?: number;
  /** How long a reordered packet is held back (default 45 ms: about two packets). */
  reorderMs?: number;
  /** Probability (0..1) that a packet is sent twice; the copy follows 0..5 ms later. */
  duplicate?: number;
  /** Probability (0..1) that a packet arrives hopelessly late, `lateMs` after its slot. */
  late?: number;
  /** Default 400 ms: beyond any sane playout delay, so the receiver must discard the packet. */
  lateMs?: number;
  /** PRNG seed (default 1). */
  seed?: number;
}

export interface SendOptions extends Impairments {
  /** Marker bit on the first packet (default true). */
  marker?: boolean;
}

/** One packet of a sendSignal() run. */
export interface SentPacket {
  index: number;
  seq: number;
  timestamp: number;
  /** Ideal send time of the packet (its slot), performance.now() ms. */
  slotMs: number;
  /** When each copy really left (socket.send was called), ms; empty if it was dropped. */
  sentMs: number[];
  dropped: boolean;
  duplicated: boolean;
  reordered: boolean;
  late: boolean;
}

export interface SendReport {
  packets: SentPacket[];
  /** Datagrams actually sent (duplicates included). */
  datagrams: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  late: number;
  startMs: number;
}

/** A packet roomtone sent us. */
export interface ReceivedPacket {
  arrivalMs: number;
  seq: number;
  timestamp: number;
  marker: boolean;
  payloadType: number;
  ssrc: number;
  payload: Buffer;
}

/** Decoded audio with, for each packet slot in sequence order, where its samples start. */
export interface DecodedTimeline {
  pcm: Int16Array;
  slots: { seq: number; startSample: number; samples: number; packet: ReceivedPacket | null }[];
  concealed: number;
}
