import { describe, expect, it } from 'vitest';
import { LatenessHistogram, quantileOf, snapshotDelta } from '../../src/clock/LatenessHistogram.js';

describe('LatenessHistogram', () => {
  it('gives quantiles to the 0.05 ms bucket, early samples in the first', () => {
    const h = new LatenessHistogram();
    for (let i = 0; i < 98; i++) h.record(i % 2 === 0 ? -0.3 : 0.5);
    h.record(7.01);
    h.record(250); // beyond the last bucket: still counted, max exact
    expect(h.count).toBe(100);
    expect(h.quantile(0.49)).toBeCloseTo(0.05, 6);
    expect(h.quantile(0.5)).toBeCloseTo(0.55, 6);
    expect(h.quantile(0.99)).toBeCloseTo(7.05, 6);
    expect(h.quantile(1)).toBeCloseTo(200, 6);
    expect(h.max).toBe(250);
    expect(new LatenessHistogram().quantile(0.99)).toBe(0);
  });

  it('judges only what was recorded between two snapshots', () => {
    const h = new LatenessHistogram();
    for (let i = 0; i < 1000; i++) h.record(30); // before the window: a bad start
    const before = h.snapshot();
    for (let i = 0; i < 1000; i++) h.record(i < 995 ? 0.2 : 4.2);
    const w = snapshotDelta(before, h.snapshot());
    expect(w.count).toBe(1000);
    expect(quantileOf(w, 0.99)).toBeCloseTo(0.25, 6);
    expect(quantileOf(w, 0.999)).toBeCloseTo(4.25, 6);
    expect(w.max).toBeCloseTo(4.25, 6); // the window's top bucket, not the run's 30 ms
    expect(h.max).toBe(30);
  });
});
