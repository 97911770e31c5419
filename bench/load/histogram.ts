// Send lateness of the load generator, in fixed buckets: recording allocates nothing, at up to
// 100,000 sends per second.
const HIST_STEP_MS = 0.05;
const HIST_BUCKETS = 4000; // 200 ms; anything later lands in the last bucket (max stays exact)

export class LatenessHistogram {
  readonly #counts = new Uint32Array(HIST_BUCKETS);
  count = 0;
  max = 0;
  record(ms: number): void {
    const b = Math.min(HIST_BUCKETS - 1, Math.max(0, Math.floor(ms / HIST_STEP_MS)));
    this.#counts[b]++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }
  quantile(q: number): number {
    let seen = 0;
    const want = Math.ceil(q * this.count);
    for (let b = 0; b < HIST_BUCKETS; b++) if ((seen += this.#counts[b]) >= want && want > 0) return (b + 1) * HIST_STEP_MS;
    return 0;
  }
  reset(): void {
    this.#counts.fill(0);
    this.count = 0;
    this.max = 0;
  }
}

