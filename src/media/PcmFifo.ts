/** Runs kept at most; past that, new runs merge into the last one (marked voiced: safe side). */
const MAX_RUNS = 256;

/**
 * A ring of decoded samples at the conference rate between the decoder (whole packets of any
 * duration) and the tick (exactly one frame). Preallocated. Whether samples are voiced or
 * silence is kept as runs, one per write (merged when alike), not per sample: every tick of
 * every participant passes through here, and a quiet participant's frame is then answered
 * "silent" without touching its samples.
 */
export class PcmFifo {
  readonly #samples: Int16Array;
  #read = 0;
  #size = 0;
  /** Ring of runs: length in samples and voiced (1) or silent (0). */
  readonly #runLength = new Int32Array(MAX_RUNS);
  readonly #runVoiced = new Uint8Array(MAX_RUNS);
  #runFirst = 0;
  #runs = 0;

  constructor(capacity: number) {
    this.#samples = new Int16Array(capacity);
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
    if (length === 0) return true;
    const w = (this.#read + this.#size) % cap;
    const first = Math.min(length, cap - w);
    if (pcm === null) {
      this.#samples.fill(0, w, w + first);
      if (first < length) this.#samples.fill(0, 0, length - first);
    } else if (first === length) {
      this.#samples.set(length === pcm.length ? pcm : pcm.subarray(0, length), w);
    } else {
      this.#samples.set(pcm.subarray(0, first), w);
      this.#samples.set(pcm.subarray(first, length), 0);
    }
    this.#size += length;
    this.#addRun(length, silent ? 0 : 1);
    return true;
  }

  /**
   * Moves `dst.length` samples out. Returns true when any of them was voiced; when none was,
   * `dst` is left as it was (the caller treats the frame as absent).
   */
  read(dst: Int16Array): boolean {
    const n = dst.length;
    const voiced = this.#consumeRuns(n);
    const cap = this.#samples.length;
    const r = this.#read;
    if (voiced) {
      const first = Math.min(n, cap - r);
      dst.set(this.#samples.subarray(r, r + first));
      if (first < n) dst.set(this.#samples.subarray(0, n - first), first);
    }
    this.#read = (r + n) % cap;
    this.#size -= n;
    return voiced;
  }

  clear(): void {
    this.#read = 0;
    this.#size = 0;
    this.#runs = 0;
    this.#runFirst = 0;
  }

  #addRun(length: number, voiced: number): void {
    if (this.#runs > 0) {
      const last = (this.#runFirst + this.#runs - 1) % MAX_RUNS;
      if (this.#runVoiced[last] === voiced || this.#runs === MAX_RUNS) {
        this.#runLength[last] += length;
        this.#runVoiced[last] |= voiced;
        return;
      }
    }
    const at = (this.#runFirst + this.#runs) % MAX_RUNS;
    this.#runLength[at] = length;
    this.#runVoiced[at] = voiced;
    this.#runs++;
  }

  /** Takes `n` samples' worth of runs from the front; true if any of it was voiced. */
  #consumeRuns(n: number): boolean {
    let voiced = false;
    while (n > 0 && this.#runs > 0) {
      const f = this.#runFirst;
      const take = Math.min(n, this.#runLength[f]);
      if (this.#runVoiced[f] === 1) voiced = true;
      n -= take;
      this.#runLength[f] -= take;
      if (this.#runLength[f] === 0) {
        this.#runFirst = (f + 1) % MAX_RUNS;
        this.#runs--;
      }
    }
    return voiced;
  }
}
