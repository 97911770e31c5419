// Lateness in fixed buckets since a start: recording allocates nothing (it runs on the tick
// path and on the load generator's send path), and two snapshots taken some time apart give
// exact percentiles over just that time, however many samples fell in it, which a window of
// recent samples cannot.
const STEP_MS = 0.05;
const BUCKETS = 4000; // 200 ms; anything later lands in the last bucket (max stays exact)

/** Counts as sparse [bucket, count] pairs: a few dozen buckets are used in practice. */
export interface LatenessSnapshot {
  stepMs: number;
  count: number;
  max: number;
  buckets: [number, number][];
}

export class LatenessHistogram {
  readonly #counts = new Float64Array(BUCKETS); // exact counts for years of ticks (a Uint32 wraps in weeks)
  count = 0;
  max = 0;

  /** Negative lateness (an early tick) counts in the first bucket. */
  record(ms: number): void {
    const b = Math.min(BUCKETS - 1, Math.max(0, Math.floor(ms / STEP_MS)));
    this.#counts[b]++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** The upper edge of the bucket holding quantile q; 0 when empty. */
  quantile(q: number): number {
    return quantileOf(this.snapshot(), q);
  }

  snapshot(): LatenessSnapshot {
    const buckets: [number, number][] = [];
    for (let b = 0; b < BUCKETS; b++) if (this.#counts[b] > 0) buckets.push([b, this.#counts[b]]);
    return { stepMs: STEP_MS, count: this.count, max: this.max, buckets };
  }

  reset(): void {
    this.#counts.fill(0);
    this.count = 0;
    this.max = 0;
  }
}

export function quantileOf(s: LatenessSnapshot, q: number): number {
  const want = Math.ceil(q * s.count);
  if (want === 0) return 0;
  let seen = 0;
  for (const [b, n] of s.buckets) if ((seen += n) >= want) return (b + 1) * s.stepMs;
  return 0;
}

/**
 * What was recorded between two snapshots of one histogram. Its max is the upper edge of the
 * highest bucket used in between (the exact max is known only since the start).
 */
export function snapshotDelta(before: LatenessSnapshot, after: LatenessSnapshot): LatenessSnapshot {
  const earlier = new Map(before.buckets);
  const buckets: [number, number][] = [];
  for (const [b, n] of after.buckets) {
    const d = n - (earlier.get(b) ?? 0);
    if (d > 0) buckets.push([b, d]);
  }
  const top = buckets.length === 0 ? 0 : (buckets[buckets.length - 1][0] + 1) * after.stepMs;
  return { stepMs: after.stepMs, count: after.count - before.count, max: Math.min(top, after.max), buckets };
}
