// Plays a stored media file (raw 48 kHz mono s16le, as MediaStore writes them) into a
// conference. The file is read and resampled to the conference rate once, when the source is
// opened; each tick then only copies samples into the frame, allocating nothing. Sources of
// the same file at the same rate on this thread share one resampled copy (held weakly, so it
// goes when the last of them does; a re-upload is a new file and is read afresh).
import { readFileSync, statSync, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { Resampler } from '../codecs/Resampler.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import type { FrameSource } from '../ports/PcmPort.js';

export const PCM_FILE_RATE = 48000;
/** Eleven minutes at 48 kHz: MediaStore stores at most ten. */
const MAX_FILE_BYTES = 11 * 60 * PCM_FILE_RATE * 2;

export interface FileSourceSpec {
  kind: 'file';
  /** A 48 kHz mono s16le file (MediaStore.resolve gives one). */
  path: string;
  /** Start again from the beginning at the end, until replaced or stopped. */
  loop?: boolean;
}

export class PcmFileSource implements FrameSource {
  readonly #pcm: Int16Array;
  readonly #loop: boolean;
  #pos = 0;
  #done = false;

  constructor(spec: FileSourceSpec, rate: number) {
    if (typeof spec?.path !== 'string' || spec.path === '') throw new InvalidArgumentError('path', 'must be a file path');
    if (spec.loop !== undefined && typeof spec.loop !== 'boolean') throw new InvalidArgumentError('loop', 'must be a boolean');
    this.#loop = spec.loop === true;
    this.#pcm = load(spec.path, rate);
    this.#done = this.#pcm.length === 0;
  }

  /** Samples at the conference rate, for tests and durations. */
  get length(): number {
    return this.#pcm.length;
  }

  /** True once the last sample has been played (never, when looping), or after close(). */
  get done(): boolean {
    return this.#done;
  }

  readFrame(dst: Int16Array): boolean {
    if (this.#done) return false;
    const pcm = this.#pcm;
    let pos = this.#pos;
    let i = 0;
    while (i < dst.length) {
      if (pos === pcm.length) {
        if (!this.#loop) break;
        pos = 0;
      }
      const n = Math.min(dst.length - i, pcm.length - pos);
      for (let k = 0; k < n; k++) dst[i + k] = pcm[pos + k];
      i += n;
      pos += n;
    }
    for (; i < dst.length; i++) dst[i] = 0;
    this.#pos = pos;
    if (pos === pcm.length && !this.#loop) this.#done = true;
    return true;
  }

  close(): void {
    this.#done = true;
  }
}

const shared = new Map<string, WeakRef<Int16Array>>();

function load(path: string, rate: number): Int16Array {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    throw new NotFoundError('media file', basename(path));
  }
  const key = `${rate}:${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${path}`;
  const hit = shared.get(key)?.deref();
  if (hit) return hit;
  for (const [k, ref] of shared) if (ref.deref() === undefined) shared.delete(k);
  const pcm = toRate(readPcm(path, st.size), rate);
  shared.set(key, new WeakRef(pcm));
  return pcm;
}

function readPcm(path: string, size: number): Int16Array {
  if (size > MAX_FILE_BYTES) throw new InvalidArgumentError('path', `is larger than ${MAX_FILE_BYTES} bytes`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new NotFoundError('media file', basename(path));
  }
  if (bytes.length > MAX_FILE_BYTES) throw new InvalidArgumentError('path', `is larger than ${MAX_FILE_BYTES} bytes`);
  const samples = bytes.length >> 1;
  if ((bytes.byteOffset & 1) === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, samples);
  const out = new Int16Array(samples);
  new Uint8Array(out.buffer).set(bytes.subarray(0, samples * 2));
  return out;
}

/**
 * 48 kHz to the conference rate with the native resampler, in whole blocks. Leading zeros make
 * the filter's delay a whole number of output samples (to within half a 48 kHz sample), which
 * are then cut from the front; trailing zeros flush the filter. So the output lines up with
 * the input and ends where it ends.
 */
function toRate(pcm: Int16Array, rate: number): Int16Array {
  if (rate === PCM_FILE_RATE || pcm.length === 0) return pcm;
  const chunk = 48000; // the resampler's largest input, a whole number of blocks at every rate
  const r = new Resampler(PCM_FILE_RATE, rate, chunk);
  const delayIn = Math.round(r.delaySamples * r.down);
  const lead = (r.down - (delayIn % r.down)) % r.down;
  const delay = (delayIn + lead) / r.down;
  const outLen = Math.ceil((pcm.length * r.up) / r.down);
  const inLen = Math.ceil((lead + pcm.length + delayIn + r.down) / r.down) * r.down;
  const out = new Int16Array(r.outputLength(inLen));
  const block = new Int16Array(chunk);
  for (let at = 0, w = 0; at < inLen; at += chunk) {
    const n = Math.min(chunk, inLen - at);
    const input = block.subarray(0, n);
    input.fill(0);
    // This block's part of the file, which starts at input index `lead`.
    const from = Math.max(0, at - lead);
    const to = Math.min(pcm.length, at + n - lead);
    if (to > from) input.set(pcm.subarray(from, to), from + lead - at);
    w += r.process(input, out.subarray(w));
  }
  return out.slice(delay, delay + outLen);
}
