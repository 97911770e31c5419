import { describe, expect, it } from 'vitest';
import { monotonicMs, sleepUntilMs } from '../../src/clock/monotonic.js';

describe('monotonicMs and sleepUntilMs', () => {
  it('reads a clock that never goes back and keeps pace with performance.now', () => {
    const a = monotonicMs();
    const p = performance.now();
    while (performance.now() - p < 5) {
      // spin 5 ms
    }
    const b = monotonicMs();
    expect(b).toBeGreaterThanOrEqual(a + 4.9);
    expect(b - a).toBeLessThan(1000);
  });

  it('sleeps to a sub-millisecond deadline, never before it', () => {
    for (const ahead of [0.3, 0.7, 2.5]) {
      const deadline = monotonicMs() + ahead;
      sleepUntilMs(deadline);
      expect(monotonicMs()).toBeGreaterThanOrEqual(deadline);
    }
  });

  it('returns at once for a passed deadline, and sleeps at most 20 ms for a far one', () => {
    const t0 = monotonicMs();
    sleepUntilMs(t0 - 1000);
    expect(monotonicMs() - t0).toBeLessThan(15);
    const t1 = monotonicMs();
    sleepUntilMs(t1 + 60_000);
    const slept = monotonicMs() - t1;
    expect(slept).toBeGreaterThanOrEqual(20);
    expect(slept).toBeLessThan(1000);
  });

  it('refuses a deadline that is not a finite number', () => {
    expect(() => sleepUntilMs(Number.NaN)).toThrow(/deadlineMs/);
    expect(() => sleepUntilMs(Number.POSITIVE_INFINITY)).toThrow(/deadlineMs/);
  });
});
