// Ogg Opus decoding for uploaded media (RFC 3533 pages, RFC 7845 encapsulation): pages are
// checked (capture pattern, version, CRC, sequence), packets are reassembled across pages,
// OpusHead and OpusTags are read, and every audio packet goes through the 48 kHz mono
// OpusDecoder. The pre-skip is dropped, the output gain applied, and the end trimmed to the
// final granule position. Chained streams (one Opus stream after another) play in order;
// other logical streams in the file are ignored. Multistream (surround) Opus is refused.
// Malformed input is refused with InvalidArgumentError('file', reason), never anything else.
import { InvalidArgumentError } from '../../errors.js';
import { OPUS_DECODE_RATE, OpusDecoder } from '../../codecs/OpusDecoder.js';

export interface OggOpusDecodeOptions {
  /** Refuse audio longer than this (checked while decoding); default: no limit. */
  maxSeconds?: number;
  /** Verify every page's CRC-32 (default true). */
  checkCrc?: boolean;
}

const HEADER_BYTES = 27;
const FLAG_CONTINUED = 1;
const FLAG_BOS = 2;
const FLAG_EOS = 4;

const bad = (reason: string): InvalidArgumentError => new InvalidArgumentError('file', reason);

/** True when the bytes start with an Ogg page. */
export function isOgg(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x4f && bytes[1] === 0x67 && bytes[2] === 0x67 && bytes[3] === 0x53;
}

/** One Opus stream of the chain: its headers, decoder and output so far. */
interface Link {
  serial: number;
  nextSeq: number;
  packets: number;
  preSkip: number;
  gain: number;
  decoder: OpusDecoder;
  pcm: Int16Array[];
  decoded: number;
  granule: number;
  partial: Uint8Array[];
  ended: boolean;
}

/** Decodes an Ogg Opus file to 48 kHz mono. */
export function decodeOggOpus(bytes: Uint8Array, options: OggOpusDecodeOptions = {}): Int16Array {
  try {
    return decode(bytes, options);
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    throw bad(`could not be decoded as Ogg Opus (${e instanceof Error ? e.message : String(e)})`);
  }
}

function decode(bytes: Uint8Array, options: OggOpusDecodeOptions): Int16Array {
  if (!(bytes instanceof Uint8Array) || !isOgg(bytes)) throw bad('is not an Ogg file (no OggS capture pattern)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const maxSamples = options.maxSeconds === undefined ? Infinity : options.maxSeconds * OPUS_DECODE_RATE;
  const links: Link[] = [];
  let link: Link | undefined;
  let total = 0;
  let at = 0;
  while (at < bytes.length) {
    if (at + HEADER_BYTES > bytes.length || !isOgg(bytes.subarray(at, at + 4))) {
      if (link?.ended) break; // trailing bytes after a complete stream (an ID3 tag, padding)
      throw bad(`has no Ogg page at byte ${at}`);
    }
    if (bytes[at + 4] !== 0) throw bad(`has Ogg version ${bytes[at + 4]} at byte ${at}`);
    const flags = bytes[at + 5];
    const granule = view.getBigInt64(at + 6, true);
    const serial = view.getUint32(at + 14, true);
    const seq = view.getUint32(at + 18, true);
    const nSegs = bytes[at + 26];
    const dataAt = at + HEADER_BYTES + nSegs;
    if (dataAt > bytes.length) throw bad(`is truncated in the Ogg page at byte ${at}`);
    let size = 0;
    for (let i = 0; i < nSegs; i++) size += bytes[at + HEADER_BYTES + i];
    const end = dataAt + size;
    if (end > bytes.length) throw bad(`is truncated in the Ogg page at byte ${at}`);
    if (options.checkCrc !== false && crc32(bytes, at, end) !== view.getUint32(at + 22, true)) {
      throw bad(`has a bad CRC in the Ogg page at byte ${at}`);
    }
    if (flags & FLAG_BOS && (link === undefined || link.ended) && startsWith(bytes, dataAt, 'OpusHead')) {
      if (link) total += finish(link);
      links.push((link = { serial, nextSeq: seq, packets: 0, preSkip: 0, gain: 1, decoder: new OpusDecoder(), pcm: [], decoded: 0, granule: -1, partial: [], ended: false }));
    }
    if (link !== undefined && !link.ended && serial === link.serial) {
      if (seq !== link.nextSeq) throw bad(`is missing Ogg page ${link.nextSeq} of stream ${serial}`);
      link.nextSeq = (seq + 1) >>> 0;
      if (((flags & FLAG_CONTINUED) !== 0) !== (link.partial.length > 0)) {
        throw bad(`has a packet broken across Ogg pages at byte ${at}`);
      }
      let p = dataAt;
      for (let i = 0; i < nSegs; i++) {
        const lace = bytes[at + HEADER_BYTES + i];
        link.partial.push(bytes.subarray(p, p + lace));
        p += lace;
        if (lace < 255) packet(link, concat(link.partial), total, maxSamples);
      }
      if (granule >= 0n) link.granule = Number(granule);
      if (flags & FLAG_EOS) link.ended = true;
    }
    at = end;
  }
  if (!link) throw bad('has no Opus stream (no OpusHead)');
  if (link.packets < 2) throw bad('ends before its OpusTags header');
  total += finish(link);
  return join(links, total);
}

function packet(link: Link, data: Uint8Array, before: number, maxSamples: number): void {
  link.partial.length = 0;
  const index = link.packets++;
  if (index === 0) return readHead(link, data);
  if (index === 1) return readTags(data);
  const pcm = link.decoder.decode(data);
  if (pcm === null) throw bad(`has an undecodable Opus packet (${link.decoder.lastError}) in packet ${index}`);
  link.pcm.push(pcm.slice()); // the decoder's buffer is reused by its next packet
  link.decoded += pcm.length;
  if (before + link.decoded - link.preSkip > maxSamples) {
    throw bad(`is longer than ${maxSamples / OPUS_DECODE_RATE} s; at most that is allowed`);
  }
}

function readHead(link: Link, d: Uint8Array): void {
  if (d.length < 19 || !startsWith(d, 0, 'OpusHead')) throw bad('has a malformed OpusHead');
  if ((d[8] & 0xf0) !== 0) throw bad(`has OpusHead version ${d[8]}, which is not supported`);
  const channels = d[9];
  const family = d[18];
  if (channels === 0) throw bad('has an OpusHead with 0 channels');
  if (family === 0 && channels > 2) throw bad('has an OpusHead with more than 2 channels in mapping family 0');
  if (family !== 0) {
    if (d.length < 21 + channels) throw bad('has a malformed OpusHead channel mapping');
    if (d[19] !== 1) throw bad(`has ${d[19]} Opus streams (multichannel Opus is not supported)`);
  }
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  link.preSkip = v.getUint16(10, true);
  link.gain = 10 ** (v.getInt16(16, true) / 256 / 20);
}

function readTags(d: Uint8Array): void {
  if (d.length < 16 || !startsWith(d, 0, 'OpusTags')) throw bad('has a malformed OpusTags (the second packet)');
  const vendor = new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(8, true);
  if (vendor > d.length - 16) throw bad('has an OpusTags vendor string longer than the packet');
}

/** Samples the link contributes: decoded, less the pre-skip, trimmed to its final granule. */
function finish(link: Link): number {
  if (link.packets < 2) throw bad('has an Opus stream that ends before its headers');
  // A stream that starts at a granule above zero (cut from a live stream) cannot be trimmed by
  // its end granule, which then exceeds what was decoded; taking the minimum covers both.
  const end = link.granule >= 0 ? Math.min(link.decoded, link.granule) : link.decoded;
  return Math.max(0, end - link.preSkip);
}

function join(links: Link[], total: number): Int16Array {
  const out = new Int16Array(total);
  let w = 0;
  for (const link of links) {
    let skip = link.preSkip;
    let keep = finish(link);
    for (const pcm of link.pcm) {
      const from = Math.min(skip, pcm.length);
      skip -= from;
      const n = Math.min(pcm.length - from, keep);
      keep -= n;
      if (link.gain === 1) out.set(pcm.subarray(from, from + n), w);
      else for (let i = 0; i < n; i++) out[w + i] = Math.max(-32768, Math.min(32767, Math.round(pcm[from + i] * link.gain)));
      w += n;
    }
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let w = 0;
  for (const p of parts) (out.set(p, w), (w += p.length));
  return out;
}

function startsWith(bytes: Uint8Array, at: number, magic: string): boolean {
  if (at + magic.length > bytes.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic.charCodeAt(i)) return false;
  return true;
}

let CRC_TABLE: Uint32Array | undefined;

/** Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial 0, over the page with its CRC field as zeros. */
function crc32(bytes: Uint8Array, from: number, to: number): number {
  const table = (CRC_TABLE ??= makeTable());
  let crc = 0;
  for (let i = from; i < to; i++) {
    const b = i >= from + 22 && i < from + 26 ? 0 : bytes[i];
    crc = ((crc << 8) ^ table[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  }
  return crc;
}

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
}
