/**
 * A ring of decoded samples at the conference rate, each marked voiced or silent, between the
 * decoder (whole packets of any duration) and the tick (exactly one frame). Preallocated.
 */
export class PcmFifo {
  readonly #samples: Int16Array;
  readonly #silent: Uint8Array;
  #read = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#samples = new Int16Array(capacity);
    this.#silent = new Uint8Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  get free(): number {
    return this.#samples.length - this.#size;
  }

  /** Appends samples (or zeros when `pcm` is null). Returns false if they do not fit. */
  write(pcm: Int16Array | null, length: number, silent: boolean): boolean {
    const cap = this.#samples.length;
    if (length > cap - this.#size) return false;
    let w = (this.#read + this.#size) % cap;
    for (let i = 0; i < length; i++) {
      this.#samples[w] = pcm === null ? 0 : pcm[i];
      this.#silent[w] = silent ? 1 : 0;
      if (++w === cap) w = 0;
    }
    this.#size += length;
    return true;
  }

  /** Moves `dst.length` samples out. Returns true when any of them was voiced. */
  read(dst: Int16Array): boolean {
    const cap = this.#samples.length;
    let voiced = false;
    let r = this.#read;
    for (let i = 0; i < dst.length; i++) {
      dst[i] = this.#samples[r];
      if (this.#silent[r] === 0) voiced = true;
      if (++r === cap) r = 0;
    }
    this.#read = r;
    this.#size -= dst.length;
    return voiced;
  }

  clear(): void {
    this.#read = 0;
    this.#size = 0;
  }
}
