// Test media: WAV files of any format built byte by byte, Ogg Opus files made by ffmpeg, and a
// map of an Ogg file's pages for tests that break them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../../helpers/tools.js';

export interface WavFormat {
  rate: number;
  channels?: number;
  bits?: 8 | 16 | 24 | 32;
  float?: boolean;
  /** Write WAVE_FORMAT_EXTENSIBLE (a 40-byte fmt chunk). */
  extensible?: boolean;
  /** Chunks before fmt, between fmt and data, and after data. */
  before?: [string, Buffer][];
  between?: [string, Buffer][];
  after?: [string, Buffer][];
  /** Written as the data chunk's size instead of the real one. */
  dataSize?: number;
}

/** A sine at `freq` Hz and `amplitude` (1 = full scale), in channel `only` or all channels. */
export function sine(freq: number, amplitude = 0.5, only?: number): (i: number, rate: number, ch: number) => number {
  return (i, rate, ch) => (only === undefined || ch === only ? amplitude * Math.sin((2 * Math.PI * freq * i) / rate) : 0);
}

export function chunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'ascii');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, Buffer.alloc(body.length & 1)]);
}

export function makeWav(signal: (i: number, rate: number, ch: number) => number, seconds: number, f: WavFormat): Buffer {
  const channels = f.channels ?? 1;
  const bits = f.bits ?? 16;
  const bytes = bits / 8;
  const frames = Math.round(seconds * f.rate);
  const data = Buffer.alloc(frames * channels * bytes);
  for (let i = 0, p = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++, p += bytes) {
      const v = Math.max(-1, Math.min(1, signal(i, f.rate, c)));
      if (f.float) data.writeFloatLE(v, p);
      else if (bits === 8) data.writeUInt8(Math.max(0, Math.min(255, Math.round(v * 128) + 128)), p);
      else if (bits === 16) data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), p);
      else if (bits === 24) data.writeIntLE(Math.max(-8388608, Math.min(8388607, Math.round(v * 8388608))), p, 3);
      else data.writeInt32LE(Math.max(-2147483648, Math.min(2147483647, Math.round(v * 2147483648))), p);
    }
  }
  const fmt = Buffer.alloc(f.extensible ? 40 : 16);
  fmt.writeUInt16LE(f.extensible ? 0xfffe : f.float ? 3 : 1, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(f.rate, 4);
  fmt.writeUInt32LE(f.rate * channels * bytes, 8);
  fmt.writeUInt16LE(channels * bytes, 12);
  fmt.writeUInt16LE(bits, 14);
  if (f.extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(bits, 18);
    fmt.writeUInt32LE((1 << channels) - 1, 20);
    fmt.writeUInt16LE(f.float ? 3 : 1, 24);
    Buffer.from('000000001000800000aa00389b71', 'hex').copy(fmt, 26);
  }
  const dataChunk = chunk('data', data);
  if (f.dataSize !== undefined) dataChunk.writeUInt32LE(f.dataSize, 4);
  const body = Buffer.concat([
    Buffer.from('WAVE'),
    ...(f.before ?? []).map(([id, b]) => chunk(id, b)),
    chunk('fmt ', fmt),
    ...(f.between ?? []).map(([id, b]) => chunk(id, b)),
    dataChunk,
    ...(f.after ?? []).map(([id, b]) => chunk(id, b)),
  ]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** Runs ffmpeg with `args` (its input options and codec options) and returns the file it wrote. */
export function ffmpegFile(args: string[], ext = 'ogg'): Buffer {
  requireTool('ffmpeg');
  const dir = mkdtempSync(join(tmpdir(), 'roomtone-media-'));
  try {
    const out = join(dir, `out.${ext}`);
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An Ogg Opus file of a sine from ffmpeg's lavfi source (amplitude 1/8, -18 dBFS). */
export function oggSine(freq: number, seconds: number, opts: { rate?: number; channels?: number; extra?: string[] } = {}): Buffer {
  const src = `sine=frequency=${freq}:duration=${seconds}:sample_rate=${opts.rate ?? 48000}`;
  const ch = opts.channels === 2 ? ['-ac', '2'] : [];
  return ffmpegFile(['-f', 'lavfi', '-i', src, ...ch, '-c:a', 'libopus', '-b:a', '64k', ...(opts.extra ?? [])]);
}

/** Where each Ogg page starts, its size, and where its payload starts. */
export function oggPages(bytes: Buffer): { at: number; size: number; dataAt: number }[] {
  const pages = [];
  let at = 0;
  while (at + 27 <= bytes.length && bytes.toString('ascii', at, at + 4) === 'OggS') {
    const n = bytes[at + 26];
    let size = 27 + n;
    for (let i = 0; i < n; i++) size += bytes[at + 27 + i];
    pages.push({ at, size, dataAt: at + 27 + n });
    at += size;
  }
  return pages;
}
