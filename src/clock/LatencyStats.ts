// A fixed window of the most recent lateness samples. record() runs on the tick path, so it only
// writes into a preallocated ring; the sorting needed for percentiles is paid by whoever asks for
// a summary (a stats poll, a few times a minute at most), into a scratch array kept for reuse.

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
  /** Samples in the window (at most the capacity). */
  count: number;
}

export class LatencyStats {
  readonly capacity: number;
  private readonly ring: Float64Array;
  private readonly scratch: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(capacity = 4096) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
    this.ring = new Float64Array(capacity);
    this.scratch = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.ring[this.next] = ms;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.filled < this.capacity) this.filled++;
  }

  get count(): number {
    return this.filled;
  }

  reset(): void {
    this.next = 0;
    this.filled = 0;
  }

  summary(): LatencySummary {
    const n = this.filled;
    if (n === 0) return { p50: 0, p99: 0, max: 0, count: 0 };
    // Order within the window does not matter for percentiles, so copy the filled prefix as is.
    const view = this.scratch.subarray(0, n);
    view.set(this.ring.subarray(0, n));
    view.sort();
    return { p50: rank(view, 0.5), p99: rank(view, 0.99), max: view[n - 1], count: n };
  }
}

/** Nearest-rank percentile: always a value that was actually observed. */
function rank(sorted: Float64Array, q: number): number {
  const i = Math.ceil(q * sorted.length) - 1;
  return sorted[i < 0 ? 0 : i];
}
