import { closeSync, mkdirSync, openSync, write, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OutputMode } from '../mixing/flags.js';
import type { PcmPort } from '../ports/PcmPort.js';
import { trimSilence } from './trimSilence.js';
import { WAV_HEADER_BYTES, wavHeader } from './wavHeader.js';

export interface RecordingSpec {
  kind: 'record';
  /** WAV file to write (the server puts it under its data dir). */
  path: string;
  /** Cut leading and trailing silence once the recording is finished. */
  trimSilence?: boolean;
}

const CHUNKS = 4;

/**
 * Records what the conference hears (the shared mix) to a 16-bit mono WAV. It contributes
 * nothing. The tick only copies each frame into a preallocated one-second chunk; full chunks
 * are written by asynchronous I/O, and if the disk falls four seconds behind, frames are
 * dropped and counted rather than the tick waiting.
 */
export class RecordingPort implements PcmPort {
  readonly path: string;
  readonly #trim: boolean;
  readonly #fd: number;
  readonly #rate: number;
  readonly #chunks: Int16Array[];
  readonly #busy = new Uint8Array(CHUNKS);
  #current = 0;
  #fill = 0;
  #offset = WAV_HEADER_BYTES;
  #pending = 0;
  #closed = false;
  #fdOpen = true;
  droppedFrames = 0;
  writtenSamples = 0;

  constructor(spec: RecordingSpec, rate: number) {
    this.path = spec.path;
    this.#trim = spec.trimSilence === true;
    this.#rate = rate;
    mkdirSync(dirname(spec.path), { recursive: true });
    this.#fd = openSync(spec.path, 'w');
    writeSync(this.#fd, wavHeader(rate, 0), 0, WAV_HEADER_BYTES, 0);
    this.#chunks = Array.from({ length: CHUNKS }, () => new Int16Array(rate));
  }

  readFrame(): boolean {
    return false;
  }

  writeFrame(frame: Int16Array, _mode: OutputMode): void {
    if (this.#closed) return;
    if (this.#busy[this.#current]) {
      this.droppedFrames++;
      return;
    }
    const chunk = this.#chunks[this.#current];
    const take = Math.min(frame.length, chunk.length - this.#fill);
    chunk.set(take === frame.length ? frame : frame.subarray(0, take), this.#fill);
    this.#fill += take;
    if (this.#fill === chunk.length) this.#flush();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#fill > 0 && !this.#busy[this.#current]) this.#flush();
    this.#finish();
  }

  /** Hands the full chunk to the disk and moves to the next one. */
  #flush(): void {
    const index = this.#current;
    const samples = this.#fill;
    const bytes = Buffer.from(this.#chunks[index].buffer, 0, samples * 2);
    const at = this.#offset;
    this.#offset += bytes.length;
    this.writtenSamples += samples;
    this.#busy[index] = 1;
    this.#pending++;
    write(this.#fd, bytes, 0, bytes.length, at, () => {
      this.#busy[index] = 0;
      this.#pending--;
      if (this.#closed) this.#finish();
    });
    this.#current = (index + 1) % CHUNKS;
    this.#fill = 0;
  }

  /** Once every write landed: the real sizes go into the header and the file is closed. */
  #finish(): void {
    if (this.#pending > 0 || !this.#fdOpen) return;
    this.#fdOpen = false;
    writeSync(this.#fd, wavHeader(this.#rate, this.writtenSamples * 2), 0, WAV_HEADER_BYTES, 0);
    closeSync(this.#fd);
    if (this.#trim) trimSilence(this.path, this.#rate, this.writtenSamples * 2);
  }
}
