import { closeSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { WAV_HEADER_BYTES, wavHeader } from './wavHeader.js';

/** Below this |sample| a recording counts as silent (about -50 dBFS). */
const SILENCE = 100;
const CHUNK = 1 << 16;

/**
 * Cuts leading and trailing silence from a 16-bit mono WAV in place, keeping 100 ms of margin,
 * in bounded memory (chunks), after the recording is finished and outside any tick.
 */
export function trimSilence(path: string, rate: number, dataBytes: number): number {
  const fd = openSync(path, 'r+');
  try {
    const samples = dataBytes / 2;
    const buf = Buffer.alloc(CHUNK * 2);
    const at = (i: number) => WAV_HEADER_BYTES + i * 2;
    let first = -1;
    for (let start = 0; start < samples && first < 0; start += CHUNK) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, samples - start) * 2, at(start)) / 2;
      for (let i = 0; i < n; i++) if (Math.abs(buf.readInt16LE(i * 2)) > SILENCE) { first = start + i; break; }
    }
    if (first < 0) first = samples;
    let last = first - 1;
    for (let end = samples; end > first && last < first; end -= CHUNK) {
      const start = Math.max(first, end - CHUNK);
      const n = readSync(fd, buf, 0, (end - start) * 2, at(start)) / 2;
      for (let i = n - 1; i >= 0; i--) if (Math.abs(buf.readInt16LE(i * 2)) > SILENCE) { last = start + i; break; }
    }
    const margin = Math.round(rate / 10);
    const from = Math.max(0, first - margin);
    const to = last < first ? from : Math.min(samples, last + 1 + margin);
    for (let src = from, dst = 0; src < to; src += CHUNK, dst += CHUNK) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, to - src) * 2, at(src));
      writeSync(fd, buf, 0, n, at(dst));
    }
    const kept = (to - from) * 2;
    writeSync(fd, wavHeader(rate, kept), 0, WAV_HEADER_BYTES, 0);
    ftruncateSync(fd, WAV_HEADER_BYTES + kept);
    return kept;
  } finally {
    closeSync(fd);
  }
}
