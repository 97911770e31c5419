// Opus packet framing (RFC 6716 §3): the TOC byte, the frame-count codes 0-3, and the
// validity requirements R1-R7 of §3.4. Runs once per inbound packet, before libopus sees it,
// so it never allocates: the caller owns one OpusPacketInfo and the parser fills it.

/** Coding mode of a TOC configuration (RFC 6716 §3.1, Table 2). */
export type OpusMode = 'silk' | 'hybrid' | 'celt';

/** Why a packet was rejected. 'too-long' means more than 120 ms of audio (R5). */
export type OpusPacketError = 'empty' | 'malformed' | 'too-long';

export interface OpusPacketInfo {
  /** TOC configuration number, 0..31. */
  config: number;
  mode: OpusMode;
  stereo: boolean;
  /** Frame-count code c of the TOC byte, 0..3. */
  code: number;
  frames: number;
  samplesPerFrame48k: number;
  totalSamples48k: number;
  /** Code 3 only: frames carry explicit lengths (VBR) or share one size (CBR). */
  vbr: boolean;
  /** Code 3 only: padding length bytes plus trailing padding bytes (P of R6). */
  paddingBytes: number;
}

/** The largest frame a packet may carry (R2). */
export const OPUS_MAX_FRAME_BYTES = 1275;
/** 120 ms at 48 kHz, the most audio one packet may carry (R5). */
export const OPUS_MAX_PACKET_SAMPLES_48K = 5760;

export function createOpusPacketInfo(): OpusPacketInfo {
  return { config: 0, mode: 'silk', stereo: false, code: 0, frames: 0, samplesPerFrame48k: 0, totalSamples48k: 0, vbr: false, paddingBytes: 0 };
}

// Frame samples at 48 kHz per configuration: SILK 10/20/40/60 ms (0-11), Hybrid 10/20 ms (12-15),
// CELT 2.5/5/10/20 ms (16-31).
const FRAME_SAMPLES_48K = Uint16Array.from([
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 480, 960,
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
]);

/** Samples of one frame at 48 kHz for a TOC configuration (2.5 ms = 120 ... 60 ms = 2880). */
export function opusConfigSamples48k(config: number): number {
  return FRAME_SAMPLES_48K[config & 31];
}

export function opusConfigMode(config: number): OpusMode {
  return config < 12 ? 'silk' : config < 16 ? 'hybrid' : 'celt';
}

/**
 * Validates `packet` per RFC 6716 §3.4 and fills `out`. Returns null when the packet is valid,
 * otherwise the reason; `out` is then left partly filled and must not be used.
 */
export function parseOpusPacket(packet: Uint8Array, out: OpusPacketInfo): OpusPacketError | null {
  const n = packet.length;
  if (n === 0) return 'empty'; // R1
  const toc = packet[0];
  const config = toc >> 3;
  const code = toc & 3;
  const spf = opusConfigSamples48k(config);
  out.config = config;
  out.mode = opusConfigMode(config);
  out.stereo = (toc & 4) !== 0;
  out.code = code;
  out.samplesPerFrame48k = spf;
  out.vbr = false;
  out.paddingBytes = 0;
  let frames: number;
  switch (code) {
    case 0: // one frame
      if (n - 1 > OPUS_MAX_FRAME_BYTES) return 'malformed'; // R2
      frames = 1;
      break;
    case 1: // two frames of equal size
      if ((n - 1) % 2 !== 0) return 'malformed'; // R3
      if ((n - 1) / 2 > OPUS_MAX_FRAME_BYTES) return 'malformed'; // R2
      frames = 2;
      break;
    case 2: {
      // two frames, the first with an explicit length
      const len = readFrameLength(packet, 1);
      if (len < 0) return 'malformed'; // R4: no room for the length
      const header = len >= 252 ? 3 : 2;
      if (len > n - header) return 'malformed'; // R4
      if (n - header - len > OPUS_MAX_FRAME_BYTES) return 'malformed'; // R2
      frames = 2;
      break;
    }
    default: {
      const error = parseCode3(packet, spf, out);
      if (error !== null) return error;
      frames = out.frames;
    }
  }
  out.frames = frames;
  out.totalSamples48k = frames * spf;
  return null;
}

/** Code 3: a frame-count byte, optional padding, then CBR frames or VBR length-prefixed ones. */
function parseCode3(packet: Uint8Array, spf: number, out: OpusPacketInfo): OpusPacketError | null {
  const n = packet.length;
  if (n < 2) return 'malformed'; // R6/R7: no frame-count byte
  const countByte = packet[1];
  const frames = countByte & 0x3f;
  if (frames === 0) return 'malformed'; // R5: at least one frame
  if (frames * spf > OPUS_MAX_PACKET_SAMPLES_48K) return 'too-long'; // R5
  let pos = 2;
  let trailing = 0;
  if ((countByte & 0x40) !== 0) {
    for (;;) {
      if (pos >= n) return 'malformed'; // padding length runs off the end
      const b = packet[pos++];
      if (b !== 255) {
        trailing += b;
        break;
      }
      trailing += 254;
    }
  }
  let remaining = n - pos - trailing;
  if (remaining < 0) return 'malformed'; // R6/R7: padding larger than the packet
  out.paddingBytes = pos - 2 + trailing;
  out.frames = frames;
  if ((countByte & 0x80) === 0) {
    // CBR: R6
    if (remaining % frames !== 0) return 'malformed';
    if (remaining / frames > OPUS_MAX_FRAME_BYTES) return 'malformed';
    return null;
  }
  out.vbr = true; // R7
  for (let i = 0; i < frames - 1; i++) {
    const len = readFrameLength(packet, pos);
    if (len < 0) return 'malformed';
    const size = len >= 252 ? 2 : 1;
    pos += size;
    remaining -= size + len;
    if (remaining < 0) return 'malformed';
  }
  if (remaining > OPUS_MAX_FRAME_BYTES) return 'malformed'; // R2 for the last frame
  return null;
}

/** A frame length at `pos` (RFC 6716 §3.2.1), or -1 when its bytes run off the packet. */
function readFrameLength(packet: Uint8Array, pos: number): number {
  if (pos >= packet.length) return -1;
  const first = packet[pos];
  if (first < 252) return first;
  if (pos + 1 >= packet.length) return -1;
  return packet[pos + 1] * 4 + first;
}
