// Run by tickAllocation.test.ts in a fresh Node process (compiled to dist/), so the figure is
// the production build's and not disturbed by the test runner's own allocations.
// Prints one JSON line: { grown, gcs, events } for the best of five 10,000-tick windows.
// `grown` is the young generation's growth, where any object made per tick would land; late
// JIT work (code, feedback) lands elsewhere and is not the tick's allocation.
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { ConferenceRuntime } from '../../src/conference/ConferenceRuntime.js';
import { resolveConferenceOptions } from '../../src/conference/ConferenceOptions.js';
import type { PcmPort } from '../../src/ports/PcmPort.js';
import { tone } from '../helpers/audio.js';

/** Says a talkspurt pattern (so talk events and floor changes happen) and discards output. */
class PatternPort implements PcmPort {
  #n = 0;
  constructor(
    private readonly frame: Int16Array,
    private readonly period: number,
  ) {}
  readFrame(dst: Int16Array): boolean {
    const on = this.#n++ % this.period < this.period / 2;
    if (on) dst.set(this.frame);
    else dst.fill(0);
    return true;
  }
  writeFrame(): void {}
  close(): void {}
}

let events = 0;
const conf = new ConferenceRuntime('alloc', resolveConferenceOptions({ rate: 48000, intervalMs: 20 }), () => events++);
for (let i = 0; i < 24; i++) {
  const frame = tone(300 + 40 * i, 48000, 0.02, i < 6 ? 9000 : 30);
  conf.addParticipant(i + 1, new PatternPort(frame, 40 + i * 7), { muted: i === 3, deaf: i === 4 });
}
conf.relate(1, 2, 'nohear');
conf.coach(5, 6);
let frame = 0;
for (; frame < 20_000; frame++) conf.tick(frame, 0); // warm up: JIT, inline caches
conf.drainEvents();

const youngBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
let result = { grown: Infinity, gcs: -1, events: 0 };
for (let attempt = 0; attempt < 5; attempt++) {
  await new Promise((r) => setTimeout(r, 50));
  let gcs = 0;
  const obs = new PerformanceObserver((list) => (gcs += list.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  const before = youngBytes();
  for (let end = frame + 10_000; frame < end; frame++) conf.tick(frame, 0);
  const grown = youngBytes() - before;
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  const eventsBefore = events;
  conf.drainEvents();
  // A window with a GC cannot be read; of the rest, keep the quietest.
  if (gcs === 0 && grown < result.grown) result = { grown, gcs, events: events - eventsBefore };
}
console.log(JSON.stringify(result));
