// RFC 3711 §3.3.2 replay protection: a sliding window over packet indices (48-bit SRTP indices,
// 31-bit SRTCP indices; both fit exactly in a double). `check` before authenticating, `commit` only
// after the packet authenticated (§3.3 steps 5 and 7), so a forged packet never moves the window.

export type ReplayVerdict = 'ok' | 'replay' | 'too-old';

export class ReplayWindow {
  /** Window width in packets (RFC 3711 asks for at least 64). */
  readonly size: number;
  /** One bit per index in [top - size + 1, top], at bit position (index mod size). */
  readonly #bits: Uint32Array;
  /** Highest committed index, or -1 before the first commit. */
  #top = -1;

  constructor(size = 128) {
    if (!Number.isInteger(size) || size < 64 || size % 32 !== 0) throw new RangeError('replay window size must be a multiple of 32, at least 64');
    this.size = size;
    this.#bits = new Uint32Array(size / 32);
  }

  /** Highest index committed so far, or -1. */
  get highest(): number {
    return this.#top;
  }

  check(index: number): ReplayVerdict {
    if (index > this.#top) return 'ok';
    const behind = this.#top - index;
    if (behind >= this.size) return 'too-old';
    return this.#isSet(index % this.size) ? 'replay' : 'ok';
  }

  /** Marks `index` as received. Call only for an index `check` accepted and that authenticated. */
  commit(index: number): void {
    if (index > this.#top) {
      const advance = this.#top < 0 ? this.size : index - this.#top;
      if (advance >= this.size) {
        this.#bits.fill(0);
      } else {
        // Positions of the indices the window slides over are reused: clear them.
        for (let i = this.#top + 1; i < index; i++) this.#clear(i % this.size);
      }
      this.#top = index;
    } else if (this.#top - index >= this.size) {
      return;
    }
    const pos = index % this.size;
    this.#bits[pos >>> 5] |= 1 << (pos & 31);
  }

  reset(): void {
    this.#bits.fill(0);
    this.#top = -1;
  }

  #isSet(pos: number): boolean {
    return (this.#bits[pos >>> 5] & (1 << (pos & 31))) !== 0;
  }

  #clear(pos: number): void {
    this.#bits[pos >>> 5] &= ~(1 << (pos & 31));
  }
}
