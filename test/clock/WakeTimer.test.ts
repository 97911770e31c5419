import { describe, expect, it } from 'vitest';
import { WakeTimer } from '../../src/clock/WakeTimer.js';
import { monotonicMs, sleepUntilMs } from '../../src/clock/monotonic.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('WakeTimer', () => {
  it('with a sleeper, never wakes before the deadline: near ones are slept to, far ones timed first', async () => {
    let now = 1000;
    const slept: number[] = [];
    const woke: number[] = [];
    const t = new WakeTimer(() => woke.push(now), () => now, (d) => {
      slept.push(d);
      now = Math.max(now, d);
    });
    expect(t.precise).toBe(true);
    t.at(1000.4); // near: one event-loop turn, then the sleep
    expect(t.pending).toBe(true);
    expect(t.deadline).toBe(1000.4);
    await sleep(5);
    expect(woke).toEqual([1000.4]);
    expect(t.pending).toBe(false);
    expect(t.deadline).toBe(Infinity);
    t.at(1010); // far: a timer first (the fake clock stands still), which re-arms while early
    await sleep(30);
    expect(woke).toHaveLength(1);
    expect(t.pending).toBe(true);
    now = 1008.2; // the next early firing finds it 1.8 ms away and sleeps the rest
    await sleep(30);
    expect(woke).toEqual([1000.4, 1010]);
    expect(slept).toEqual([1000.4, 1010]);
  });

  it('at() replaces the pending wake and clear() cancels it', async () => {
    let calls = 0;
    const t = new WakeTimer(() => calls++, monotonicMs, sleepUntilMs);
    t.at(monotonicMs() + 50);
    t.at(monotonicMs() + 1);
    await sleep(30);
    expect(calls).toBe(1);
    t.at(monotonicMs() + 0.5);
    t.clear();
    t.at(monotonicMs() + 10);
    t.clear();
    await sleep(30);
    expect(calls).toBe(1);
    expect(t.pending).toBe(false);
    expect(process.getActiveResourcesInfo()).not.toContain('Immediate');
  });

  it('wakes a real thread on a sub-millisecond deadline, not on the 1 ms timer grid', async () => {
    const t0 = monotonicMs();
    const at: number[] = [];
    const deadlines = [0.3, 0.6, 0.9, 1.2].map((d) => t0 + d);
    await new Promise<void>((done) => {
      let i = 0;
      const t = new WakeTimer(() => {
        at.push(monotonicMs());
        if (++i < deadlines.length) t.at(deadlines[i]);
        else done();
      }, monotonicMs, sleepUntilMs);
      t.at(deadlines[0]);
    });
    // Never early; how late depends on the machine, so only the order is asserted beyond that.
    for (let i = 0; i < deadlines.length; i++) expect(at[i]).toBeGreaterThanOrEqual(deadlines[i]);
  });

  it('without a sleeper is a plain timer on Node’s millisecond grid', async () => {
    let calls = 0;
    const t = new WakeTimer(() => calls++, monotonicMs);
    expect(t.precise).toBe(false);
    t.at(monotonicMs() + 5);
    expect(process.getActiveResourcesInfo()).toContain('Timeout');
    await sleep(40);
    expect(calls).toBe(1);
    expect(t.pending).toBe(false);
  });
});
