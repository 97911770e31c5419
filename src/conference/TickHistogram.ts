// Tick durations of the conferences of a media thread, for /metrics.

/** Upper bounds (ms) of the tick-duration histogram buckets. */
export const TICK_BUCKETS_MS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40] as const;

/** Tick durations of every conference on a media thread, counted in place (no allocation). */
export class TickHistogram {
  readonly counts = new Float64Array(TICK_BUCKETS_MS.length + 1);
  sumMs = 0;
  count = 0;

  observe(ms: number): void {
    let i = 0;
    while (i < TICK_BUCKETS_MS.length && ms > TICK_BUCKETS_MS[i]) i++;
    this.counts[i]++;
    this.sumMs += ms;
    this.count++;
  }
}
