import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import type { Conference } from '../../src/engine/Conference.js';
import { sleep, tone } from '../helpers/audio.js';

const CONFERENCES = 50;
const SECONDS = 10;

describe('one clock for all conferences', () => {
  const engine = new Engine({ workers: 1 });
  afterAll(() => engine.close());

  it(`ticks ${CONFERENCES} conferences with participants for ${SECONDS} s with no tick skipped or doubled`, async () => {
    const conferences: Conference[] = [];
    for (let c = 0; c < CONFERENCES; c++) {
      const conf = await engine.createConference({ rate: 16000, intervalMs: 20 });
      for (let p = 0; p < 3; p++) {
        const port = conf.createMemoryPort(SECONDS * 50 + 100);
        port.writeSignal(tone(300 + 100 * p, 16000, SECONDS));
        await conf.addParticipant({ port });
      }
      conferences.push(conf);
    }
    const [before] = await engine.hostStats();
    const started = performance.now();
    await sleep(SECONDS * 1000);
    const elapsed = performance.now() - started;
    const [host] = await engine.hostStats();
    const stats = await Promise.all(conferences.map((c) => c.stats()));

    for (const s of stats) {
      expect(s.skipped, s.conferenceId).toBe(0);
      expect(s.repeated, s.conferenceId).toBe(0);
    }
    // Every conference ticked once per 20 ms of the run (plus its ticks before the window).
    const ticksInWindow = host.scheduler.ticks - before.scheduler.ticks;
    expect(ticksInWindow / CONFERENCES).toBeGreaterThanOrEqual(elapsed / 20 - 2);
    expect(ticksInWindow / CONFERENCES).toBeLessThanOrEqual(elapsed / 20 + 2);
    const l = host.scheduler.lateness;
    console.log(
      `${CONFERENCES} conferences x 3 participants, ${SECONDS} s on a media worker: ` +
        `${ticksInWindow} ticks, skipped ${host.scheduler.skippedTicks}, ` +
        `lateness p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(2)} ms; ` +
        `mean tick ${(stats.reduce((a, s) => a + s.meanTickMs, 0) / stats.length * 1000).toFixed(1)} µs`,
    );
    expect(host.scheduler.skippedTicks).toBe(0);
  }, 40_000);

  it('recovers from a deliberate 200 ms stall of the media thread within 3 ticks, on the grid', async () => {
    const conf = engine.conferences[0];
    const beforeAt = performance.now();
    const before = await conf.stats();
    await engine.stall(conf.id, 200);
    await sleep(120); // six ticks
    const after = await conf.stats();
    const recent = after.recent;
    const jump = recent.findIndex((t, i) => i > 0 && t.frameIndex - recent[i - 1].frameIndex > 1);
    expect(jump, 'a frame-index jump marks the stall').toBeGreaterThan(0);
    const dropped = recent[jump].frameIndex - recent[jump - 1].frameIndex - 1;
    const next = recent.slice(jump, jump + 3);
    console.log(
      `200 ms stall: ${dropped} ticks dropped; lateness of the 3 ticks after it: ` +
        next.map((t) => `${t.lateMs.toFixed(2)} ms`).join(', '),
    );
    // The policy drops the stale slots (no burst), then ticks on the original grid.
    expect(dropped).toBeGreaterThanOrEqual(8);
    expect(dropped).toBeLessThanOrEqual(10);
    expect(after.skipped - before.skipped).toBe(dropped);
    expect(after.repeated).toBe(0);
    expect(next).toHaveLength(3);
    for (let i = 1; i < next.length; i++) expect(next[i].frameIndex).toBe(next[i - 1].frameIndex + 1);
    expect(next[0].lateMs, 'the first tick after the stall is less than one interval late').toBeLessThan(20);
    expect(next[2].lateMs, 'by the third tick it is on time again').toBeLessThan(5);
    // No drift: the frame index still matches the time since the conference's anchor.
    const expectedFrame = before.recent.at(-1)!.frameIndex + (performance.now() - beforeAt) / 20;
    expect(Math.abs(after.recent.at(-1)!.frameIndex - expectedFrame)).toBeLessThanOrEqual(3);
  });
});
