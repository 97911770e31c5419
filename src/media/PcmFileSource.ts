// Plays a media file into a conference: PCM already at the conference rate, loaded and
// resampled off the media thread (PcmLoader). Each tick only copies samples into the frame,
// allocating nothing; the media thread never reads a file.
import { InvalidArgumentError } from '../errors.js';
import type { FrameSource } from '../ports/PcmPort.js';

export interface PcmSourceSpec {
  kind: 'pcm';
  /** Mono samples at the conference rate; shared memory (SharedArrayBuffer) crosses to a worker without a copy. */
  pcm: Int16Array;
  /** Start again from the beginning at the end, until replaced or stopped. */
  loop?: boolean;
}

export class PcmFileSource implements FrameSource {
  readonly #pcm: Int16Array;
  readonly #loop: boolean;
  #pos = 0;
  #done = false;

  constructor(spec: PcmSourceSpec) {
    if (!(spec?.pcm instanceof Int16Array)) throw new InvalidArgumentError('pcm', 'must be an Int16Array');
    if (spec.loop !== undefined && typeof spec.loop !== 'boolean') throw new InvalidArgumentError('loop', 'must be a boolean');
    this.#loop = spec.loop === true;
    this.#pcm = spec.pcm;
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
