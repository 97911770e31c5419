import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { resolveMediaConfig } from '../../src/host/MediaConfig.js';
import { validateThreadPriority } from '../../src/host/threadPriority.js';

interface ThreadSched {
  tid: number;
  nice: number;
  policy: number;
  rtPriority: number;
}

/** Every thread of this process as the kernel schedules it (proc(5): stat fields 19, 40, 41). */
function threads(): ThreadSched[] {
  const out: ThreadSched[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended while we listed
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3
    out.push({ tid: Number(tid), nice: Number(f[16]), policy: Number(f[38]), rtPriority: Number(f[37]) });
  }
  return out;
}

const SCHED_RR = 2;
const isRoot = process.getuid?.() === 0;

describe('media thread priority', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('rejects out-of-range settings, naming the field', () => {
    for (const realtime of [-1, 100, 1.5]) expect(() => validateThreadPriority({ realtime, nice: 0 })).toThrow(/mediaRealtime/);
    for (const nice of [-21, 20, 0.5]) expect(() => validateThreadPriority({ realtime: 0, nice })).toThrow(/mediaNice/);
    expect(() => resolveMediaConfig({ mediaRealtime: 120 })).toThrow(/mediaRealtime/);
  });

  it('a media worker takes its nice value, and only its own thread does', async () => {
    const before = new Set(threads().map((t) => t.tid));
    engine = new Engine({ workers: 1, logging: 'silent', media: { mediaNice: 7 } });
    await engine.createConference(); // a round trip: the worker has started
    const niced = threads().filter((t) => t.nice === 7);
    expect(niced).toHaveLength(1);
    expect(before.has(niced[0].tid)).toBe(false);
    expect(threads().find((t) => t.tid === process.pid)?.nice).toBe(0);
  });

  it.skipIf(!isRoot)('a media worker runs under SCHED_RR at the priority asked (root)', async () => {
    engine = new Engine({ workers: 2, logging: 'silent', media: { mediaRealtime: 3 } });
    await engine.createConference();
    await engine.createConference(); // one per worker: both have started
    const rr = threads().filter((t) => t.policy === SCHED_RR);
    expect(rr.map((t) => t.rtPriority)).toEqual([3, 3]);
    expect(threads().find((t) => t.tid === process.pid)?.policy).toBe(0);
  });
});
