import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Scheduler, type Tickable } from '../../src/clock/Scheduler.js';

// Real timers throughout: the point is to measure how the clock behaves on a real event loop.

interface Tick {
  frame: number;
  late: number;
  at: number;
}

class Recorder implements Tickable {
  readonly log: Tick[] = [];
  addedAt = 0;
  constructor(
    readonly intervalMs: number,
    private readonly onTick?: (frame: number) => void,
  ) {}
  tick(frame: number, late: number): void {
    this.log.push({ frame, late, at: performance.now() });
    this.onTick?.(frame);
  }
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: a blocked event loop is exactly what is being simulated
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves after the first wake at which `done()` holds, from onAfterTicks (all due ticks ran). */
function runUntil(s: Scheduler, done: () => boolean): Promise<number> {
  return new Promise((resolve) => {
    s.onAfterTicks = () => {
      if (done()) {
        s.onAfterTicks = undefined;
        resolve(performance.now());
      }
    };
  });
}

function expectConsecutive(log: Tick[], from = 0): void {
  for (let i = 0; i < log.length; i++) if (log[i].frame !== from + i) expect(log[i].frame).toBe(from + i);
}

const schedulers: Scheduler[] = [];
function make(opts?: ConstructorParameters<typeof Scheduler>[0]): Scheduler {
  const s = new Scheduler(opts);
  schedulers.push(s);
  return s;
}
afterEach(() => {
  for (const s of schedulers.splice(0)) s.close();
  vi.restoreAllMocks();
});

describe('Scheduler', () => {
  it('keeps 50 tickables of mixed intervals on their grids for 3 s', async () => {
    const s = make();
    const intervals = [...Array(10).fill(10), ...Array(30).fill(20), ...Array(10).fill(40)] as number[];
    const recs = intervals.map((i) => new Recorder(i));
    const start = performance.now();
    for (const r of recs) {
      r.addedAt = performance.now();
      s.add(r);
    }
    const end = await runUntil(s, () => performance.now() - start >= 3_000);
    for (const r of recs) s.remove(r);
    expect(s.timerPending).toBe(false);

    for (const r of recs) {
      expectConsecutive(r.log);
      const expected = (end - r.addedAt) / r.intervalMs;
      expect(Math.abs(r.log.length - expected)).toBeLessThanOrEqual(1);
    }
    const st = s.stats();
    expect(st.skippedTicks).toBe(0);
    expect(st.stalls).toBe(0);
    expect(st.ticks).toBe(recs.reduce((n, r) => n + r.log.length, 0));
    expect(s.latenessSince().count).toBe(st.ticks);
    const { p50, p99, max, count } = st.lateness;
    const all = Float64Array.from(recs.flatMap((r) => r.log.map((x) => x.late))).sort();
    const pct = (q: number) => all[Math.ceil(q * all.length) - 1].toFixed(3);
    console.log(
      `lateness, whole run (${all.length} ticks, 50 tickables, 3 s): ` +
        `p50=${pct(0.5)} ms p99=${pct(0.99)} ms max=${all[all.length - 1].toFixed(3)} ms; ` +
        `stats() window (last ${count}): p50=${p50.toFixed(3)} p99=${p99.toFixed(3)} max=${max.toFixed(3)}`,
    );
    expect(p50).toBeLessThan(5);
  }, 30_000);

  it('drops stale ticks after a 200 ms stall and stays on the grid', async () => {
    const s = make();
    let stallEnd = 0;
    const r = new Recorder(20, (frame) => {
      if (frame === 10) {
        busyWait(200);
        stallEnd = performance.now();
      }
    });
    const t0 = performance.now();
    s.add(r);
    await runUntil(s, () => stallEnd > 0 && performance.now() > stallEnd + 200);

    const before = r.log.filter((x) => x.at < stallEnd);
    const after = r.log.filter((x) => x.at >= stallEnd);
    expectConsecutive(before);
    expect(before.length).toBe(11);
    const st = s.stats();
    expect(st.stalls).toBe(1);
    // 200 ms is 10 slots: 9 or 10 dropped depending on how late the stalled tick itself ran.
    expect(st.skippedTicks).toBeGreaterThanOrEqual(9);
    expect(st.skippedTicks).toBeLessThanOrEqual(10);
    // frameIndex jumps by exactly the dropped count, then is consecutive again.
    expect(after[0].frame).toBe(10 + 1 + st.skippedTicks);
    expectConsecutive(after, after[0].frame);
    // On the original grid: frameIndex matches time elapsed since the start.
    for (const x of after) {
      expect(Math.abs(x.frame - (x.at - t0) / 20)).toBeLessThan(1.5);
    }
    // No burst: one tick, not a catch-up of stale audio.
    expect(after.filter((x) => x.at < stallEnd + 10).length).toBeLessThanOrEqual(3);
    expect(after.filter((x) => x.at < stallEnd + 10).length).toBe(1);
    // Recovered within 3 ticks: from the third on, ticks run on time. The median, because this
    // shared host can hold any one tick for 10 ms; a scheduler still behind fails it all the same.
    const recovered = after.slice(2).map((x) => x.late).sort((p, q) => p - q);
    expect(recovered.length).toBeGreaterThanOrEqual(5);
    expect(recovered[recovered.length >> 1]).toBeLessThan(5);
  });

  it('catches up a small hiccup back-to-back without skipping', async () => {
    const s = make();
    const ends: number[] = [];
    const r = new Recorder(20, (frame) => {
      // 30 ms: the next slot is merely late; 50 ms: two slots are due and run back-to-back.
      if (frame === 10 || frame === 20) {
        busyWait(frame === 10 ? 30 : 50);
        ends.push(performance.now());
      }
    });
    s.add(r);
    await runUntil(s, () => r.log.length >= 30);

    expectConsecutive(r.log);
    expect(s.stats().skippedTicks).toBe(0);
    expect(s.stats().stalls).toBe(0);
    const [late11, late21, late22] = [r.log[11].late, r.log[21].late, r.log[22].late];
    // 30 ms: slot 11 is merely late and runs alone; no second tick follows it closely.
    expect(late11).toBeGreaterThan(5);
    expect(late11).toBeLessThan(20);
    expect(r.log[12].at - r.log[11].at).toBeGreaterThan(5);
    // 50 ms: slot 21 is more than an interval late, so 21 and 22 run back-to-back.
    expect(late21).toBeGreaterThanOrEqual(19);
    expect(r.log[22].at - r.log[21].at).toBeLessThan(3);
    expect(late22).toBeLessThan(20);
    expect(ends.length).toBe(2);
    // Back on the grid after each hiccup.
    expect(r.log[12].late).toBeLessThan(5);
    expect(r.log[23].late).toBeLessThan(5);
  });

  it('applies the stall policy exactly (injected clock)', async () => {
    let now = 1000;
    const s = make({ now: () => now });
    const r = new Recorder(20);
    s.add(r); // anchored at 1000, due at once
    await sleep(15);
    expect(r.log.map((x) => [x.frame, x.late])).toEqual([[0, 0]]);
    now = 1020 + 45; // slots 1..3 passed: 2 extra == maxCatchUp, so all run
    await sleep(40);
    expect(r.log.map((x) => [x.frame, x.late])).toEqual([[0, 0], [1, 45], [2, 25], [3, 5]]);
    now = 1080 + 103; // slots 4..9 passed: 5 extra > maxCatchUp, so 4..8 are dropped
    await sleep(40);
    expect(r.log.slice(4).map((x) => [x.frame, x.late])).toEqual([[9, 3]]);
    expect(s.stats()).toMatchObject({ ticks: 5, skippedTicks: 5, stalls: 1 });
    now = 1199.5; // within 1 ms of slot 10: runs slightly early
    await sleep(40);
    expect(r.log.slice(5).map((x) => [x.frame, x.late])).toEqual([[10, -0.5]]);
    now = 1220 + 39.5; // slot 13 is within 1 ms, so 2 extra: all three run, none dropped
    await sleep(40);
    expect(r.log.slice(6).map((x) => [x.frame, x.late])).toEqual([[11, 39.5], [12, 19.5], [13, -0.5]]);
    s.resetStats();
    expect(s.stats()).toEqual({ ticks: 0, skippedTicks: 0, stalls: 0, lateness: { p50: 0, p99: 0, max: 0, count: 0 } });
  });

  it('spreads tickables over the phases of their interval (injected clock)', async () => {
    let now = 1000;
    const s = make({ now: () => now, phases: 4 });
    const rs = Array.from({ length: 8 }, () => new Recorder(20));
    for (const r of rs) s.add(r);
    const ten = new Recorder(10);
    s.add(ten); // its own interval's counts: offset 0 again
    const first = async (at: number) => {
      now = at;
      await sleep(5);
    };
    // Offsets 0, 5, 10, 15 ms, two tickables each, filled in order.
    await first(1000);
    expect(rs.map((r) => r.log.length)).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
    expect(ten.log.length).toBe(1);
    await first(1005);
    expect(rs.map((r) => r.log.length)).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
    await first(1015);
    expect(rs.map((r) => r.log.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(rs.every((r) => r.log[0].late >= 0 && r.log[0].late <= 5)).toBe(true);
    // A removed tickable frees its offset for the next one.
    s.remove(rs[2]);
    const late = new Recorder(20);
    s.add(late); // anchored at offset 10: the next 10-ms point is 1030
    await first(1029.5);
    expect(late.log.map((x) => [x.frame, x.late])).toEqual([[0, -0.5]]);
    expect(() => make({ phases: 0 })).toThrow(/phases/);
  });

  it('with pollMs, calls onBeforeTicks between ticks too, and only ticks on the grid', async () => {
    const s = make({ pollMs: 2 });
    let polls = 0;
    s.onBeforeTicks = () => polls++;
    const r = new Recorder(40);
    s.add(r);
    await sleep(205);
    s.remove(r);
    // Five 40 ms frames, with a poll about every 2 ms between them (timers run late, not early).
    expect(r.log.length).toBeGreaterThanOrEqual(4);
    expect(r.log.length).toBeLessThanOrEqual(6);
    expect(polls).toBeGreaterThan(4 * r.log.length);
    expect(polls).toBeLessThanOrEqual(110);
    expect(s.timerPending).toBe(false);
    expect(() => make({ pollMs: 0 })).toThrow(/pollMs/);
    expect(() => make({ pollMs: 1.5 })).toThrow(/pollMs/);
  });

  it('holds no timer when empty', async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
    const base = timeouts();
    const s = make();
    expect(s.size).toBe(0);
    expect(s.timerPending).toBe(false);
    expect(timeouts()).toBe(base);

    const t = new Recorder(20);
    s.add(t);
    s.add(t); // no-op
    expect(s.size).toBe(1);
    expect(s.has(t)).toBe(true);
    expect(s.timerPending).toBe(true);
    expect(timeouts()).toBe(base + 1);
    s.remove(t);
    expect(s.has(t)).toBe(false);
    expect(s.timerPending).toBe(false);
    expect(timeouts()).toBe(base);

    // Same after it has been ticking, and when the last tickable removes itself mid-tick.
    const self: Tickable = { intervalMs: 10, tick: (f) => f === 3 && s.remove(self) };
    s.add(t);
    s.add(self);
    await sleep(60);
    expect(s.size).toBe(1);
    s.remove(t);
    expect(s.size).toBe(0);
    expect(s.timerPending).toBe(false);
    expect(timeouts()).toBe(base);

    s.add(t);
    s.close();
    s.close();
    expect(s.timerPending).toBe(false);
    expect(s.size).toBe(0);
    expect(timeouts()).toBe(base);
    expect(() => s.add(t)).toThrow(/closed/);
  });

  it('with sleepUntil, sleeps to each deadline and runs ticks at most 0.25 ms early (injected clock)', async () => {
    let now = 1000;
    const slept: number[] = [];
    let undershoot = 0;
    // Stands in for the blocking sleep: the clock reaches the deadline it was asked for.
    const sleepUntil = (deadline: number) => {
      slept.push(deadline);
      now = Math.max(now, deadline - undershoot);
    };
    const s = make({ now: () => now, phases: 20, sleepUntil });
    const rs = [new Recorder(20), new Recorder(20), new Recorder(20)];
    for (const r of rs) s.add(r); // offsets 0, 1 and 2 ms
    await sleep(10);
    // One wake per offset, each reached by sleeping to it, not three ticks batched on the 1 ms timer grid.
    expect(slept).toEqual([1000, 1001, 1002]);
    expect(rs.map((r) => r.log.map((x) => [x.frame, x.late]))).toEqual([[[0, 0]], [[0, 0]], [[0, 0]]]);
    expect(s.timerPending).toBe(true);
    // 2.4 ms before the next deadlines: a timer (set to fire early) finds them near, and the
    // rest of the way to each is slept.
    now = 1017.6;
    await sleep(40);
    expect(slept.slice(3)).toEqual([1020, 1021, 1022]);
    expect(rs.map((r) => r.log.slice(1).map((x) => [x.frame, x.late]))).toEqual([[[1, 0]], [[1, 0]], [[1, 0]]]);
    // A wake 0.2 ms short of its deadline still runs the tick (-0.2); the next offset, 1.2 ms
    // ahead, is not run early but slept to (Node's timers would have allowed 1 ms).
    undershoot = 0.2;
    now = 1037.6;
    await sleep(40);
    expect(slept.slice(6)).toEqual([1040, 1041, 1042]);
    expect(rs.map((r) => r.log.slice(2).map((x) => [x.frame, Math.round(x.late * 10) / 10]))).toEqual([[[2, -0.2]], [[2, -0.2]], [[2, -0.2]]]);
    for (const r of rs) s.remove(r);
    expect(s.timerPending).toBe(false);
    expect(process.getActiveResourcesInfo()).not.toContain('Immediate');
  });

  it('supports remove() inside a tick', async () => {
    const s = make();
    const b = new Recorder(20);
    const a = new Recorder(20, (frame) => {
      if (frame === 3) {
        s.remove(a);
        s.remove(b); // b is later in the same wake: it must not tick at frame 3
      }
    });
    const c = new Recorder(20);
    s.add(a);
    s.add(b);
    s.add(c);
    await runUntil(s, () => c.log.length >= 8);
    expect(a.log.map((x) => x.frame)).toEqual([0, 1, 2, 3]);
    expect(b.log.map((x) => x.frame)).toEqual([0, 1, 2]);
    expectConsecutive(c.log);
    expect(s.size).toBe(1);
  });

  it('survives throwing ticks', async () => {
    const s = make();
    const errors: unknown[] = [];
    s.onError = (err, t) => {
      expect(t).toBe(bad);
      errors.push(err);
    };
    const bad: Tickable = {
      intervalMs: 10,
      tick() {
        throw new Error('boom');
      },
    };
    const good = new Recorder(10);
    s.add(bad);
    s.add(good);
    await runUntil(s, () => good.log.length >= 5);
    expectConsecutive(good.log);
    expect(errors.length).toBeGreaterThanOrEqual(5);
    expect(s.has(bad)).toBe(true);

    // Default reporting: console.error once per tickable, however often it throws.
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    s.onError = undefined;
    await runUntil(s, () => good.log.length >= 10);
    expect(spy).toHaveBeenCalledTimes(1);
    expectConsecutive(good.log);
  });
});
