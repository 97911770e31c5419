// RFC 8285 header extension elements inside the one extension block RFC 3550 allows. Lookups run
// per packet (audio level feeds talker detection), so they scan in place and return offsets.

import { InvalidArgumentError } from '../errors.js';
import type { RtpPacket } from './RtpPacket.js';

/** The one-byte header form (RFC 8285 §4.2): ids 1..14, 1..16 bytes of data. */
export const ONE_BYTE_PROFILE = 0xbede;

/** The two-byte header form (RFC 8285 §4.3) is 0x100 followed by 4 application bits. */
export function isTwoByteProfile(profile: number): boolean {
  return (profile & 0xfff0) === 0x1000;
}

export type ExtensionBlock = Pick<RtpPacket, 'extensionProfile' | 'extensionOffset' | 'extensionLength'>;

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > 255) {
    throw new InvalidArgumentError('id', 'must be an integer 1..255');
  }
}

/**
 * Offset in `buf` of the data of element `id`, or -1 when the packet has no such element (or the
 * extension block is malformed before reaching it). Does not allocate.
 */
export function findExtensionOffset(buf: Uint8Array, pkt: ExtensionBlock, id: number): number {
  checkId(id);
  const start = pkt.extensionOffset;
  let end = start + pkt.extensionLength;
  if (end > buf.length) end = buf.length;
  if (pkt.extensionProfile === ONE_BYTE_PROFILE) return scanOneByte(buf, start, end, id);
  if (isTwoByteProfile(pkt.extensionProfile)) return scanTwoByte(buf, start, end, id);
  return -1;
}

function scanOneByte(buf: Uint8Array, start: number, end: number, id: number): number {
  if (id > 14) return -1;
  let i = start;
  while (i < end) {
    const eid = buf[i] >> 4;
    // Id 0 is a padding byte whatever its length bits say (libwebrtc reads it the same way).
    if (eid === 0) {
      i++;
      continue;
    }
    // Id 15 is reserved: RFC 8285 says to stop and keep only the elements before it.
    if (eid === 15) return -1;
    const data = i + 1;
    const next = data + (buf[i] & 0x0f) + 1;
    if (next > end) return -1;
    if (eid === id) return data;
    i = next;
  }
  return -1;
}

function scanTwoByte(buf: Uint8Array, start: number, end: number, id: number): number {
  let i = start;
  while (i < end) {
    const eid = buf[i];
    if (eid === 0) {
      i++;
      continue;
    }
    if (i + 2 > end) return -1;
    const data = i + 2;
    const next = data + buf[i + 1];
    if (next > end) return -1;
    if (eid === id) return data;
    i = next;
  }
  return -1;
}

/**
 * Length of the element whose data starts at `dataOffset` (a value findExtensionOffset returned);
 * read from the element header just before the data, so it costs no second scan.
 */
export function extensionLengthAt(buf: Uint8Array, pkt: ExtensionBlock, dataOffset: number): number {
  if (dataOffset <= pkt.extensionOffset || dataOffset > buf.length) return -1;
  const header = buf[dataOffset - 1];
  if (pkt.extensionProfile === ONE_BYTE_PROFILE) return (header & 0x0f) + 1;
  if (isTwoByteProfile(pkt.extensionProfile)) return header;
  return -1;
}

/** Allocating convenience for code off the hot path. */
export function findExtension(buf: Uint8Array, pkt: ExtensionBlock, id: number): { offset: number; length: number } | null {
  const offset = findExtensionOffset(buf, pkt, id);
  if (offset < 0) return null;
  return { offset, length: extensionLengthAt(buf, pkt, offset) };
}

/** Bit 7 of the RFC 6464 byte: the sender's voice activity flag. */
export const AUDIO_LEVEL_VAD = 0x80;

/**
 * RFC 6464 client-to-mixer audio level under extension `id`: -1 when absent, else
 * (voice activity ? 128 : 0) | level, where level 0..127 is -dBov (0 loudest, 127 silence).
 */
export function readAudioLevel(buf: Uint8Array, pkt: ExtensionBlock, id: number): number {
  const offset = findExtensionOffset(buf, pkt, id);
  // A two-byte element may carry zero bytes; that is not an audio level.
  if (offset < 0 || offset >= buf.length || extensionLengthAt(buf, pkt, offset) < 1) return -1;
  return buf[offset];
}
