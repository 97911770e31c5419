// RIFF/WAVE decoding for uploaded media: integer PCM (8/16/24/32-bit), 32-bit float, and the
// WAVE_FORMAT_EXTENSIBLE wrapper of either; 1 to 8 channels, averaged to mono; any rate from
// 8 to 192 kHz. Unknown chunks (LIST, fact, cue, bext, JUNK...) are skipped, odd sizes are
// padded, and a data chunk whose size runs past the end of the file (a truncated recording,
// or 0 / 0xFFFFFFFF from a streaming writer) is read up to the last whole sample frame.
// Anything else is refused with InvalidArgumentError('file', reason), and nothing else is
// ever thrown for hostile input.
import { InvalidArgumentError } from '../../errors.js';

/** Mono samples in [-1, 1] at their own rate. */
export interface DecodedPcm {
  rate: number;
  samples: Float32Array;
}

export interface WavDecodeOptions {
  /** Refuse (before decoding) audio longer than this; default: no limit. */
  maxSeconds?: number;
}

export const WAV_MIN_RATE = 8000;
export const WAV_MAX_RATE = 192000;
const MAX_CHANNELS = 8;
const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

interface Format {
  code: number;
  channels: number;
  rate: number;
  bits: number;
  blockAlign: number;
}

const bad = (reason: string): InvalidArgumentError => new InvalidArgumentError('file', reason);

/** True when the bytes start like a WAV file (RIFF....WAVE). */
export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0) === 'RIFF' && ascii(bytes, 8) === 'WAVE';
}

export function decodeWav(bytes: Uint8Array, options: WavDecodeOptions = {}): DecodedPcm {
  try {
    return decode(bytes, options);
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    // A bug or an allocation failure on some input: still the caller's bad file, not a 500.
    throw bad(`could not be decoded as WAV (${e instanceof Error ? e.message : String(e)})`);
  }
}

function decode(bytes: Uint8Array, options: WavDecodeOptions): DecodedPcm {
  if (!(bytes instanceof Uint8Array)) throw bad('must be bytes');
  if (bytes.length >= 4 && ascii(bytes, 0) === 'RF64') throw bad('is an RF64 WAV, which is not supported');
  if (!isWav(bytes)) throw bad('is not a WAV file (no RIFF/WAVE header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: Format | undefined;
  let dataAt = -1;
  let dataSize = 0;
  // The RIFF size is often wrong (streaming writers); the real end is the end of the bytes.
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ' && format === undefined) {
      format = parseFormat(view, body, Math.min(size, bytes.length - body));
    } else if (id === 'data' && dataAt < 0) {
      dataAt = body;
      // 0 (or more than is left) is a writer that could not seek back: the data runs to the end.
      const toEnd = size === 0 || size > bytes.length - body;
      dataSize = toEnd ? bytes.length - body : size;
      if (toEnd) break;
    }
    at = body + size + (size & 1);
  }
  if (format === undefined) throw bad('has no fmt chunk');
  if (dataAt < 0) throw bad('has no data chunk');
  const frames = Math.floor(dataSize / format.blockAlign);
  if (frames === 0) throw bad('has no audio samples');
  const seconds = frames / format.rate;
  if (options.maxSeconds !== undefined && seconds > options.maxSeconds) {
    throw bad(`is ${seconds.toFixed(1)} s long; at most ${options.maxSeconds} s is allowed`);
  }
  return { rate: format.rate, samples: toMono(view, dataAt, frames, format) };
}

function parseFormat(view: DataView, at: number, size: number): Format {
  if (size < 16) throw bad('has a fmt chunk shorter than 16 bytes');
  let code = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const rate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  if (code === FORMAT_EXTENSIBLE) {
    if (size < 40) throw bad('has a WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes');
    code = view.getUint16(at + 24, true); // the sub-format GUID starts with the format code
  }
  if (code !== FORMAT_PCM && code !== FORMAT_FLOAT) {
    throw bad(`has audio format ${code}; only PCM (1) and IEEE float (3) are supported`);
  }
  if (channels < 1 || channels > MAX_CHANNELS) throw bad(`has ${channels} channels; 1 to ${MAX_CHANNELS} are supported`);
  if (rate < WAV_MIN_RATE || rate > WAV_MAX_RATE) {
    throw bad(`has sample rate ${rate} Hz; ${WAV_MIN_RATE} to ${WAV_MAX_RATE} Hz are supported`);
  }
  const okBits = code === FORMAT_FLOAT ? bits === 32 : bits === 8 || bits === 16 || bits === 24 || bits === 32;
  if (!okBits) {
    throw bad(`has ${bits}-bit ${code === FORMAT_FLOAT ? 'float' : 'integer'} samples; supported: 8/16/24/32-bit integer, 32-bit float`);
  }
  if (blockAlign !== channels * (bits / 8)) throw bad(`has block align ${blockAlign}, not ${channels * (bits / 8)}`);
  return { code, channels, rate, bits, blockAlign };
}

function toMono(view: DataView, at: number, frames: number, f: Format): Float32Array {
  const out = new Float32Array(frames);
  const bytesPerSample = f.bits / 8;
  const scale = 1 / f.channels;
  const read = reader(view, f);
  for (let i = 0, p = at; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < f.channels; c++, p += bytesPerSample) sum += read(p);
    out[i] = sum * scale;
  }
  return out;
}

/** Reads one sample at a byte offset as a number in [-1, 1]. */
function reader(view: DataView, f: Format): (p: number) => number {
  if (f.code === FORMAT_FLOAT) {
    return (p) => {
      const v = view.getFloat32(p, true);
      // NaN and infinities from a hostile file become silence or full scale, never NaN output.
      return v !== v ? 0 : v > 1 ? 1 : v < -1 ? -1 : v;
    };
  }
  switch (f.bits) {
    case 8:
      return (p) => (view.getUint8(p) - 128) / 128;
    case 16:
      return (p) => view.getInt16(p, true) / 32768;
    case 24:
      return (p) => ((view.getUint16(p, true) | (view.getInt8(p + 2) << 16)) / 8388608);
    default:
      return (p) => view.getInt32(p, true) / 2147483648;
  }
}

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}
