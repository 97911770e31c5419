// Opens a stored media file for playback before the media thread sees it: the file is read
// asynchronously and resampled to the conference rate in one-second chunks, yielding to the
// event loop between them, into shared memory that crosses to a media worker without a copy.
// Opening a 10-minute file on the media thread itself (read and resample: 120-200 ms) held
// every conference of that thread for as long.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Resampler } from '../codecs/Resampler.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import type { PcmSourceSpec } from './PcmFileSource.js';

/** A stored media file (48 kHz mono s16le, as MediaStore writes them), as a caller names it. */
export interface FileSourceSpec {
  kind: 'file';
  path: string;
  /** Start again from the beginning at the end, until replaced or stopped. */
  loop?: boolean;
}

/** Loads a file source on the calling thread; other sources pass through. */
export async function loadSource<S extends { kind: string }>(source: S | FileSourceSpec | null, rate: number): Promise<S | PcmSourceSpec | null> {
  if (source === null || source.kind !== 'file') return source as S | null;
  const file = source as FileSourceSpec;
  if (file.loop !== undefined && typeof file.loop !== 'boolean') throw new InvalidArgumentError('loop', 'must be a boolean');
  return { kind: 'pcm', pcm: await loadPcmFile(file.path, rate), loop: file.loop };
}

/** The rate MediaStore stores at (raw mono s16le). */
export const PCM_FILE_RATE = 48000;
/** Eleven minutes at 48 kHz: MediaStore stores at most ten. */
const MAX_FILE_BYTES = 11 * 60 * PCM_FILE_RATE * 2;
/** Input samples resampled between two turns of the event loop: one second. */
const CHUNK = PCM_FILE_RATE;

/**
 * Loaded files by file identity and rate, held weakly: sources of the same file at the same
 * rate share one copy, which goes when the last of them does. A re-upload is a new file.
 */
const loaded = new Map<string, WeakRef<Int16Array>>();
const loading = new Map<string, Promise<Int16Array>>();

/** The file at `path` (48 kHz mono s16le) at `rate`, in a SharedArrayBuffer. */
export async function loadPcmFile(path: string, rate: number): Promise<Int16Array> {
  if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('path', 'must be a file path');
  let key: string;
  try {
    const st = await stat(path);
    if (st.size > MAX_FILE_BYTES) throw new InvalidArgumentError('path', `is larger than ${MAX_FILE_BYTES} bytes`);
    key = `${rate}:${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${path}`;
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    throw new NotFoundError('media file', basename(path));
  }
  const hit = loaded.get(key)?.deref();
  if (hit) return hit;
  const pending = loading.get(key);
  if (pending) return pending;
  const load = (async () => {
    const pcm = await toRate(await readPcm(path), rate);
    for (const [k, ref] of loaded) if (ref.deref() === undefined) loaded.delete(k);
    loaded.set(key, new WeakRef(pcm));
    return pcm;
  })();
  loading.set(key, load);
  try {
    return await load;
  } finally {
    loading.delete(key);
  }
}

async function readPcm(path: string): Promise<Int16Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
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

function sharedInt16(length: number): Int16Array {
  return new Int16Array(new SharedArrayBuffer(length * 2));
}

/**
 * 48 kHz to the conference rate with the native resampler, in whole blocks. Leading zeros make
 * the filter's delay a whole number of output samples (to within half a 48 kHz sample), which
 * are then cut from the front; trailing zeros flush the filter. So the output lines up with
 * the input and ends where it ends.
 */
async function toRate(pcm: Int16Array, rate: number): Promise<Int16Array> {
  if (rate === PCM_FILE_RATE || pcm.length === 0) {
    const out = sharedInt16(pcm.length);
    for (let at = 0; at < pcm.length; at += CHUNK * 10) {
      out.set(pcm.subarray(at, Math.min(pcm.length, at + CHUNK * 10)), at);
      await nextTurn();
    }
    return out;
  }
  const r = new Resampler(PCM_FILE_RATE, rate, CHUNK); // its largest input, a whole number of blocks at every rate
  const delayIn = Math.round(r.delaySamples * r.down);
  const lead = (r.down - (delayIn % r.down)) % r.down;
  const delay = (delayIn + lead) / r.down;
  const outLen = Math.ceil((pcm.length * r.up) / r.down);
  const inLen = Math.ceil((lead + pcm.length + delayIn + r.down) / r.down) * r.down;
  const out = sharedInt16(r.outputLength(inLen));
  const block = new Int16Array(CHUNK);
  // The addon takes ordinary buffers only: each block is resampled into scratch, then copied.
  const scratch = new Int16Array(r.outputLength(CHUNK));
  for (let at = 0, w = 0; at < inLen; at += CHUNK) {
    const n = Math.min(CHUNK, inLen - at);
    const input = block.subarray(0, n);
    input.fill(0);
    // This block's part of the file, which starts at input index `lead`.
    const from = Math.max(0, at - lead);
    const to = Math.min(pcm.length, at + n - lead);
    if (to > from) input.set(pcm.subarray(from, to), from + lead - at);
    const made = r.process(input, scratch);
    out.set(scratch.subarray(0, made), w);
    w += made;
    await nextTurn();
  }
  return out.subarray(delay, delay + outLen);
}
