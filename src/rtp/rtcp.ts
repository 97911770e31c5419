// RTCP (RFC 3550 §6): SR, RR, SDES and BYE, read from and written to compound packets. A stream
// sees a few RTCP packets a second, so parsing builds plain objects; writers still fill the
// caller's buffer so a send path can build a compound packet in place.

import { InvalidArgumentError } from '../errors.js';

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;

export interface ReportBlock {
  /** The source this block reports on. */
  ssrc: number;
  /** Fraction of packets lost since the previous report, in 1/256. */
  fractionLost: number;
  /** Signed 24-bit: duplicates can make it negative. */
  cumulativeLost: number;
  /** Extended highest sequence number received (cycles << 16 | seq), uint32. */
  highestSeq: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP time of the last SR received from that source; 0 if none. */
  lsr: number;
  /** Delay since that SR, in 1/65536 s. */
  dlsr: number;
}

export interface ReceiverReportFields {
  ssrc: number;
  reports: ReportBlock[];
}

export interface SenderReportFields extends ReceiverReportFields {
  /** The NTP time the SR was made at: ntpFromUnixMs of a wall clock. */
  ntpSec: number;
  ntpFrac: number;
  /** The same instant on the stream's RTP clock. */
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export interface RtcpSenderReport extends SenderReportFields {
  type: 'sr';
}
export interface RtcpReceiverReport extends ReceiverReportFields {
  type: 'rr';
}
export interface RtcpSdes {
  type: 'sdes';
  chunks: { ssrc: number; cname: string | null }[];
}
export interface RtcpBye {
  type: 'bye';
  ssrcs: number[];
  reason: string | null;
}
export type RtcpPacket = RtcpSenderReport | RtcpReceiverReport | RtcpSdes | RtcpBye;

/**
 * 'truncated': a header or length field runs past the data; 'bad-length': a packet's length
 * field is too short for what its count says it holds.
 */
export type RtcpParseError = 'truncated' | 'bad-version' | 'bad-padding' | 'bad-length';

/** The six words of an SR after its header, in wire order. */
const SR_FIELDS = ['ssrc', 'ntpSec', 'ntpFrac', 'rtpTimestamp', 'packetCount', 'octetCount'] as const;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function u32(buf: Uint8Array, i: number): number {
  return ((buf[i] << 24) | (buf[i + 1] << 16) | (buf[i + 2] << 8) | buf[i + 3]) >>> 0;
}

function readReportBlocks(buf: Uint8Array, at: number, count: number): ReportBlock[] {
  const reports: ReportBlock[] = [];
  for (let i = 0; i < count; i++, at += 24) {
    reports.push({
      ssrc: u32(buf, at),
      fractionLost: buf[at + 4],
      cumulativeLost: (((buf[at + 5] << 16) | (buf[at + 6] << 8) | buf[at + 7]) << 8) >> 8,
      highestSeq: u32(buf, at + 8),
      jitter: u32(buf, at + 12),
      lsr: u32(buf, at + 16),
      dlsr: u32(buf, at + 20),
    });
  }
  return reports;
}

function readSdes(buf: Uint8Array, start: number, end: number, count: number): RtcpSdes | null {
  const chunks: RtcpSdes['chunks'] = [];
  let p = start;
  for (let c = 0; c < count; c++) {
    if (p + 4 > end) return null;
    const chunk = { ssrc: u32(buf, p), cname: null as string | null };
    p += 4;
    for (;;) {
      if (p >= end) return null;
      const type = buf[p];
      if (type === 0) {
        // The item list ends with a null byte, then pads the chunk to a 32-bit boundary.
        p = start + ((p + 1 - start + 3) & ~3);
        break;
      }
      if (p + 2 > end || p + 2 + buf[p + 1] > end) return null;
      if (type === 1) chunk.cname = decoder.decode(buf.subarray(p + 2, p + 2 + buf[p + 1]));
      p += 2 + buf[p + 1];
    }
    chunks.push(chunk);
  }
  return { type: 'sdes', chunks };
}

function readBye(buf: Uint8Array, start: number, end: number, count: number): RtcpBye | null {
  if (start + count * 4 > end) return null;
  const ssrcs: number[] = [];
  for (let i = 0; i < count; i++) ssrcs.push(u32(buf, start + i * 4));
  let reason: string | null = null;
  const r = start + count * 4;
  if (r < end && buf[r] > 0) {
    if (r + 1 + buf[r] > end) return null;
    reason = decoder.decode(buf.subarray(r + 1, r + 1 + buf[r]));
  }
  return { type: 'bye', ssrcs, reason };
}

/**
 * Parses a compound RTCP packet in buf[0, len). Types other than SR/RR/SDES/BYE (feedback, XR,
 * APP) are skipped. The first packet need not be an SR or RR: reduced-size RTCP (RFC 5506)
 * sends feedback alone.
 */
export function parseRtcp(buf: Uint8Array, len: number): RtcpPacket[] | RtcpParseError {
  let n = len | 0;
  if (n > buf.length) n = buf.length;
  if (n < 4) return 'truncated';
  const packets: RtcpPacket[] = [];
  for (let off = 0; off < n; ) {
    if (off + 4 > n) return 'truncated';
    const b0 = buf[off];
    if (b0 >> 6 !== 2) return 'bad-version';
    const count = b0 & 0x1f;
    const size = (((buf[off + 2] << 8) | buf[off + 3]) + 1) * 4;
    if (off + size > n) return 'truncated';
    let end = off + size;
    if (b0 & 0x20) {
      const pad = buf[end - 1];
      if (pad === 0 || pad > size - 4) return 'bad-padding';
      end -= pad;
    }
    const body = off + 4;
    let packet: RtcpPacket | null = null;
    switch (buf[off + 1]) {
      case RTCP_SR:
        if (body + 24 + count * 24 > end) return 'bad-length';
        packet = { type: 'sr', reports: readReportBlocks(buf, body + 24, count) } as RtcpSenderReport;
        for (let i = 0; i < SR_FIELDS.length; i++) packet[SR_FIELDS[i]] = u32(buf, body + i * 4);
        break;
      case RTCP_RR:
        if (body + 4 + count * 24 > end) return 'bad-length';
        packet = { type: 'rr', ssrc: u32(buf, body), reports: readReportBlocks(buf, body + 4, count) };
        break;
      case RTCP_SDES:
        packet = readSdes(buf, body, end, count);
        if (!packet) return 'bad-length';
        break;
      case RTCP_BYE:
        packet = readBye(buf, body, end, count);
        if (!packet) return 'bad-length';
        break;
    }
    if (packet) packets.push(packet);
    off += size;
  }
  return packets;
}

function checkU32(field: string, v: number, max = 0xffffffff): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new InvalidArgumentError(field, `must be an integer 0..${max}`);
}

function writeU32(buf: Uint8Array, i: number, v: number): void {
  buf[i] = v >>> 24;
  buf[i + 1] = (v >>> 16) & 0xff;
  buf[i + 2] = (v >>> 8) & 0xff;
  buf[i + 3] = v & 0xff;
}

/** Checks room for `size` bytes and writes the common header with a length of size/4 - 1. */
function writeHeader(buf: Uint8Array, offset: number, size: number, count: number, type: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > buf.length) {
    throw new InvalidArgumentError('offset', `must leave ${size} bytes in the buffer`);
  }
  buf[offset] = 0x80 | count;
  buf[offset + 1] = type;
  buf[offset + 2] = (size / 4 - 1) >>> 8;
  buf[offset + 3] = (size / 4 - 1) & 0xff;
}

function checkReports(reports: ReportBlock[]): void {
  if (reports.length > 31) throw new InvalidArgumentError('reports', 'must hold at most 31 blocks');
  for (const r of reports) {
    for (const f of ['ssrc', 'highestSeq', 'jitter', 'lsr', 'dlsr'] as const) checkU32(`reports.${f}`, r[f]);
    checkU32('reports.fractionLost', r.fractionLost, 255);
    if (!Number.isInteger(r.cumulativeLost)) throw new InvalidArgumentError('reports.cumulativeLost', 'must be an integer');
  }
}

function writeReportBlocks(buf: Uint8Array, at: number, reports: ReportBlock[]): void {
  for (const r of reports) {
    // RFC 3550 A.3 clamps rather than wraps a loss count that does not fit 24 bits.
    const lost = Math.max(-0x800000, Math.min(0x7fffff, r.cumulativeLost)) & 0xffffff;
    writeU32(buf, at, r.ssrc);
    writeU32(buf, at + 4, ((r.fractionLost << 24) | lost) >>> 0);
    writeU32(buf, at + 8, r.highestSeq);
    writeU32(buf, at + 12, r.jitter);
    writeU32(buf, at + 16, r.lsr);
    writeU32(buf, at + 20, r.dlsr);
    at += 24;
  }
}

/** Writes an SR at buf[offset]; returns its size (28 + 24 per report block). */
export function writeSenderReport(buf: Uint8Array, offset: number, sr: SenderReportFields): number {
  for (const f of SR_FIELDS) checkU32(f, sr[f]);
  checkReports(sr.reports);
  const size = 28 + sr.reports.length * 24;
  writeHeader(buf, offset, size, sr.reports.length, RTCP_SR);
  for (let i = 0; i < SR_FIELDS.length; i++) writeU32(buf, offset + 4 + i * 4, sr[SR_FIELDS[i]]);
  writeReportBlocks(buf, offset + 28, sr.reports);
  return size;
}

/** Writes an RR at buf[offset]; returns its size (8 + 24 per report block). */
export function writeReceiverReport(buf: Uint8Array, offset: number, rr: ReceiverReportFields): number {
  checkU32('ssrc', rr.ssrc);
  checkReports(rr.reports);
  const size = 8 + rr.reports.length * 24;
  writeHeader(buf, offset, size, rr.reports.length, RTCP_RR);
  writeU32(buf, offset + 4, rr.ssrc);
  writeReportBlocks(buf, offset + 8, rr.reports);
  return size;
}

/** Writes an SDES packet with one chunk holding only a CNAME; returns its size. */
export function writeSdesCname(buf: Uint8Array, offset: number, ssrc: number, cname: string): number {
  checkU32('ssrc', ssrc);
  const text = encoder.encode(cname);
  if (text.length < 1 || text.length > 255) throw new InvalidArgumentError('cname', 'must be 1..255 bytes of UTF-8');
  // ssrc, item type and length, text, at least one null byte, padded to 32 bits.
  const size = 4 + ((4 + 2 + text.length + 1 + 3) & ~3);
  writeHeader(buf, offset, size, 1, RTCP_SDES);
  writeU32(buf, offset + 4, ssrc);
  buf[offset + 8] = 1;
  buf[offset + 9] = text.length;
  buf.set(text, offset + 10);
  buf.fill(0, offset + 10 + text.length, offset + size);
  return size;
}

/** Writes a BYE for one source, with an optional reason; returns its size. */
export function writeBye(buf: Uint8Array, offset: number, ssrc: number, reason?: string): number {
  checkU32('ssrc', ssrc);
  const text = reason === undefined ? null : encoder.encode(reason);
  if (text && text.length > 255) throw new InvalidArgumentError('reason', 'must be at most 255 bytes of UTF-8');
  const size = 8 + (text ? (1 + text.length + 3) & ~3 : 0);
  writeHeader(buf, offset, size, 1, RTCP_BYE);
  writeU32(buf, offset + 4, ssrc);
  if (text) {
    buf.fill(0, offset + 8, offset + size);
    buf[offset + 8] = text.length;
    buf.set(text, offset + 9);
  }
  return size;
}

/** Seconds from the NTP epoch (1900) to the Unix epoch. */
export const NTP_UNIX_OFFSET_SEC = 2208988800;

function ntpFrac(ms: number, wholeSec: number): number {
  const frac = Math.floor(((ms - wholeSec * 1000) / 1000) * 4294967296);
  // Rounding can land a hair under the next second on exactly 2^32.
  return frac > 0xffffffff ? 0xffffffff : frac;
}

/** 64-bit NTP time of a Unix time in ms; seconds wrap at 2^32 (era 1 starts in 2036). */
export function ntpFromUnixMs(ms: number): { sec: number; frac: number } {
  const whole = Math.floor(ms / 1000);
  return { sec: (whole + NTP_UNIX_OFFSET_SEC) >>> 0, frac: ntpFrac(ms, whole) };
}

/** The middle 32 bits of an NTP time: the compact form used by LSR, DLSR and RTT (1/65536 s). */
export function middle32(sec: number, frac: number): number {
  return (((sec & 0xffff) << 16) | (frac >>> 16)) >>> 0;
}

/** middle32(ntpFromUnixMs(ms)) without allocating. */
export function compactNtpFromUnixMs(ms: number): number {
  const whole = Math.floor(ms / 1000);
  return middle32(whole + NTP_UNIX_OFFSET_SEC, ntpFrac(ms, whole));
}
