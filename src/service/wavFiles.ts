// What a WAV the media thread writes (a recording, a caller's name) holds once it is complete:
// the recorder writes the real sizes into the header last, so a header that agrees with the
// file's size means the file is done.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

export interface WavInfo {
  bytes: number;
  durationMs: number;
}

/** The first 44 bytes of a file (fewer if it is shorter). */
function header(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const h = Buffer.alloc(44);
    return h.subarray(0, readSync(fd, h, 0, 44, 0));
  } finally {
    closeSync(fd);
  }
}

/** Duration from the WAV header's rate and data size (a recording still running reads 0). */
export function wavDurationMs(path: string, size: number): number {
  const h = header(path);
  if (h.length < 44 || h.toString('ascii', 0, 4) !== 'RIFF') return 0;
  const rate = h.readUInt32LE(24);
  const data = Math.min(h.readUInt32LE(40), size - 44);
  return rate > 0 ? Math.round((data / 2 / rate) * 1000) : 0;
}

/** Size and duration once the header says what the file holds; undefined before. */
export function completeWav(path: string): WavInfo | undefined {
  try {
    const size = statSync(path).size;
    const h = header(path);
    if (h.length < 44 || h.readUInt32LE(40) !== size - 44) return undefined;
    return { bytes: size, durationMs: wavDurationMs(path, size) };
  } catch {
    return undefined;
  }
}

/** The file once complete, waiting up to `timeoutMs` (writes still landing, silence trimmed). */
export async function whenWavComplete(path: string, timeoutMs = 5000): Promise<WavInfo | undefined> {
  const deadline = Date.now() + timeoutMs;
  let info = completeWav(path);
  while (!info && Date.now() < deadline) {
    await delay(50);
    info = completeWav(path);
  }
  return info;
}
