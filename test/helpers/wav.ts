import { wavHeader } from '../../src/media/wavHeader.js';
import { readFileSync } from 'node:fs';

/** Reads a 16-bit PCM WAV (mono, or the first channel of several). */
export function readWav(path: string): { rate: number; samples: Int16Array } {
  const buf = readFileSync(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path} is not a WAV file`);
  let at = 12;
  let rate = 0;
  let channels = 1;
  while (at + 8 <= buf.length) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(at + 10);
      rate = buf.readUInt32LE(at + 12);
      if (buf.readUInt16LE(at + 22) !== 16) throw new Error(`${path}: only 16-bit PCM is supported`);
    } else if (id === 'data') {
      const end = Math.min(buf.length, at + 8 + (size === 0xffffffff || size === 0 ? buf.length : size));
      const frames = Math.floor((end - at - 8) / (2 * channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(at + 8 + i * 2 * channels);
      return { rate, samples };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** Writes a 16-bit mono PCM WAV. */
export function wavBytes(samples: Int16Array, rate: number): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return Buffer.concat([wavHeader(rate, data.length), data]);
}

/** Reads a 16-bit PCM WAV held in memory (a download). */
export function readWavBytes(buf: Buffer): { rate: number; samples: Int16Array } {
  const rate = buf.readUInt32LE(24);
  const data = buf.subarray(44);
  const samples = new Int16Array(Math.floor(data.length / 2));
  for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * 2);
  return { rate, samples };
}
