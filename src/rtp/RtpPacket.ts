// The fixed RTP header (RFC 3550 §5.1). The parser runs once per received packet, so it fills a
// caller-owned object with offsets into the caller's buffer instead of copying anything.

import { InvalidArgumentError } from '../errors.js';

export const RTP_HEADER_LENGTH = 12;

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  /** uint32 */
  timestamp: number;
  /** uint32 */
  ssrc: number;
  /** The CSRCs themselves sit at byte 12, 4 bytes each: read them with `readCsrc`. */
  csrcCount: number;
  /** The profile of the header extension (0xBEDE, 0x100x...); 0 when there is none. */
  extensionProfile: number;
  /** Offset of the extension data, after its 4-byte header; 0 when there is none. */
  extensionOffset: number;
  /** Bytes of extension data (a multiple of 4); 0 when there is none. */
  extensionLength: number;
  payloadOffset: number;
  payloadLength: number;
  /** Padding bytes at the end, including the count byte itself. */
  paddingLength: number;
}

export function newRtpPacket(): RtpPacket {
  return {
    marker: false,
    payloadType: 0,
    sequenceNumber: 0,
    timestamp: 0,
    ssrc: 0,
    csrcCount: 0,
    extensionProfile: 0,
    extensionOffset: 0,
    extensionLength: 0,
    payloadOffset: 0,
    payloadLength: 0,
    paddingLength: 0,
  };
}

/**
 * Why a packet was rejected; the caller counts drops by these. 'truncated': shorter than its
 * header, CSRC list or extension header say; 'bad-extension': the extension's length runs past
 * the packet; 'bad-padding': a padding count of 0 or longer than the payload.
 */
export type RtpParseError = 'truncated' | 'bad-version' | 'bad-padding' | 'bad-extension';

function u16(buf: Uint8Array, i: number): number {
  return (buf[i] << 8) | buf[i + 1];
}

function u32(buf: Uint8Array, i: number): number {
  return ((buf[i] << 24) | (buf[i + 1] << 16) | (buf[i + 2] << 8) | buf[i + 3]) >>> 0;
}

/**
 * Parses the RTP packet in buf[0, len). Fills `out` and returns null, or returns why the packet
 * is invalid (then `out` holds garbage). Does not allocate.
 */
export function parseRtp(buf: Uint8Array, len: number, out: RtpPacket): RtpParseError | null {
  // A len past the buffer (or not an integer) is a caller bug, but reading past the buffer would
  // yield undefined rather than throw; clamping keeps every later bound check honest.
  let n = len | 0;
  if (n > buf.length) n = buf.length;
  if (n < RTP_HEADER_LENGTH) return 'truncated';
  const b0 = buf[0];
  if (b0 >> 6 !== 2) return 'bad-version';
  const cc = b0 & 0x0f;
  let offset = RTP_HEADER_LENGTH + cc * 4;
  if (offset > n) return 'truncated';

  out.marker = (buf[1] & 0x80) !== 0;
  out.payloadType = buf[1] & 0x7f;
  out.sequenceNumber = u16(buf, 2);
  out.timestamp = u32(buf, 4);
  out.ssrc = u32(buf, 8);
  out.csrcCount = cc;

  if (b0 & 0x10) {
    if (offset + 4 > n) return 'truncated';
    out.extensionProfile = u16(buf, offset);
    out.extensionLength = u16(buf, offset + 2) * 4;
    out.extensionOffset = offset + 4;
    offset += 4 + out.extensionLength;
    if (offset > n) return 'bad-extension';
  } else {
    out.extensionProfile = 0;
    out.extensionOffset = 0;
    out.extensionLength = 0;
  }

  let padding = 0;
  if (b0 & 0x20) {
    padding = buf[n - 1];
    // The count includes itself, so 0 cannot be produced by a conforming sender (RFC 3550 §5.1).
    if (padding === 0 || padding > n - offset) return 'bad-padding';
  }
  out.paddingLength = padding;
  out.payloadOffset = offset;
  out.payloadLength = n - offset - padding;
  return null;
}

/** The i-th CSRC of a packet that parseRtp accepted (i < csrcCount). */
export function readCsrc(buf: Uint8Array, i: number): number {
  return u32(buf, RTP_HEADER_LENGTH + i * 4);
}

/**
 * RFC 5761 §4 demultiplexing of RTP and RTCP on one port: RTCP packet types 192..223 land where
 * an RTP marker bit plus payload types 64..95 would, a range RTP must not use when muxed.
 */
export function isRtcpPacket(buf: Uint8Array, len: number): boolean {
  if ((len | 0) < 2 || buf.length < 2) return false;
  const pt = buf[1];
  return pt >= 192 && pt <= 223;
}

export interface RtpHeaderFields {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
}

function checkUint(field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(field, `must be an integer 0..${max}`);
  }
}

/** Writes a 12-byte header (version 2, no padding, extension or CSRC) at buf[offset]; returns 12. */
export function writeRtpHeader(buf: Uint8Array, offset: number, h: RtpHeaderFields): number {
  if (!Number.isInteger(offset) || offset < 0 || offset + RTP_HEADER_LENGTH > buf.length) {
    throw new InvalidArgumentError('offset', 'must leave 12 bytes in the buffer');
  }
  checkUint('payloadType', h.payloadType, 0x7f);
  checkUint('sequenceNumber', h.sequenceNumber, 0xffff);
  checkUint('timestamp', h.timestamp, 0xffffffff);
  checkUint('ssrc', h.ssrc, 0xffffffff);
  buf[offset] = 0x80;
  buf[offset + 1] = (h.marker ? 0x80 : 0) | h.payloadType;
  buf[offset + 2] = h.sequenceNumber >>> 8;
  buf[offset + 3] = h.sequenceNumber & 0xff;
  writeU32(buf, offset + 4, h.timestamp);
  writeU32(buf, offset + 8, h.ssrc);
  return RTP_HEADER_LENGTH;
}

function writeU32(buf: Uint8Array, i: number, v: number): void {
  buf[i] = v >>> 24;
  buf[i + 1] = (v >>> 16) & 0xff;
  buf[i + 2] = (v >>> 8) & 0xff;
  buf[i + 3] = v & 0xff;
}
