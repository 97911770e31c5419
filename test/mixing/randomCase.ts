// Random kernel scenarios for property tests: participants with random flags, gains,
// thresholds, relations, coaches and injections, over several consecutive ticks.
import { Flag } from '../../src/mixing/flags.js';
import { MixBuffers } from '../../src/mixing/MixBuffers.js';

import { seededRandom as rng } from '../helpers/random.js';

export interface Scenario {
  samples: number;
  subLen: number;
  count: number;
  topK: number;
  comfortNoise: number;
  ticks: number;
  confInject: boolean[];
  /** Fills two identical buffer sets for tick t (inputs and per-tick flags). */
  fill(b: MixBuffers, t: number): void;
  setup(b: MixBuffers): void;
}

const FORMATS = [
  { samples: 80, subLen: 8 },
  { samples: 160, subLen: 16 },
  { samples: 480, subLen: 24 },
  { samples: 960, subLen: 48 },
];

export function randomScenario(seed: number): Scenario {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const fmt = r() < 0.8 ? FORMATS[0] : pick(FORMATS);
  const count = 1 + Math.floor(r() * 12);
  const ticks = 1 + Math.floor(r() * 4);
  const loud = r() < 0.3; // full-scale talkers to drive the limiter
  const inputs: Int16Array[][] = [];
  const flagsPerTick: number[][] = [];
  for (let t = 0; t < ticks; t++) {
    const frames: Int16Array[] = [];
    const flags: number[] = [];
    for (let i = 0; i < count; i++) {
      const x = new Int16Array(fmt.samples);
      const kind = r();
      const amp = loud && r() < 0.7 ? 32767 : Math.floor(r() ** 2 * 20000);
      const freq = 0.01 + r() * 0.2;
      const phase = r() * 6.28;
      for (let s = 0; s < x.length; s++) {
        if (kind < 0.1) x[s] = 0;
        else if (kind < 0.2) x[s] = s % 2 ? 32767 : -32768;
        else if (kind < 0.6) x[s] = Math.round(amp * Math.sin(phase + freq * 2 * Math.PI * s));
        else x[s] = Math.round((r() * 2 - 1) * amp);
      }
      frames.push(x);
      let f = r() < 0.9 ? Flag.HasInput : 0;
      if (r() < 0.15) f |= Flag.Muted;
      if (r() < 0.1) f |= Flag.Deaf;
      if (r() < 0.05) f |= Flag.Held;
      if (r() < 0.15) f |= Flag.Inject;
      flags.push(f);
    }
    inputs.push(frames);
    flagsPerTick.push(flags);
  }
  const gain = () => (r() < 0.6 ? 4096 : Math.floor(r() * 65535));
  const inGain = Array.from({ length: count }, gain);
  const outGain = Array.from({ length: count }, gain);
  const threshold = Array.from({ length: count }, () => (r() < 0.5 ? 0 : Math.floor(r() * 3000)));
  const coachOf = Array.from({ length: count }, (_, i) => {
    if (count < 2 || r() > 0.15) return -1;
    const c = Math.floor(r() * count);
    return c === i ? -1 : c;
  });
  const ex: number[][] = Array.from({ length: count }, (_, l) => {
    const list = new Set<number>();
    if (r() < 0.3) for (let k = 0; k < 1 + r() * 3; k++) list.add(Math.floor(r() * count));
    list.delete(l);
    return [...list];
  });
  const inject = Array.from({ length: count }, () => {
    const x = new Int16Array(fmt.samples);
    for (let s = 0; s < x.length; s++) x[s] = Math.round((r() * 2 - 1) * 8000);
    return x;
  });
  const confInjectFrame = new Int16Array(fmt.samples).map(() => Math.round((r() * 2 - 1) * 6000));
  return {
    ...fmt,
    count,
    topK: r() < 0.5 ? 8 : 1 + Math.floor(r() * 6),
    comfortNoise: r() < 0.5 ? 0 : Math.floor(r() * 500),
    ticks,
    confInject: Array.from({ length: ticks }, () => r() < 0.3),
    setup(b) {
      b.grow(count);
      const offsets = new Uint32Array(count + 1);
      const list: number[] = [];
      for (let l = 0; l < count; l++) {
        b.inGain[l] = inGain[l];
        b.outGain[l] = outGain[l];
        b.threshold[l] = threshold[l];
        b.coachOf[l] = coachOf[l];
        b.injectSlots[l].set(inject[l]);
        list.push(...ex[l]);
        offsets[l + 1] = list.length;
      }
      b.setExclusions(offsets, Uint32Array.from(list));
      b.confInject.set(confInjectFrame);
    },
    fill(b, t) {
      for (let i = 0; i < count; i++) {
        b.inputSlots[i].set(inputs[t][i]);
        b.flags[i] = flagsPerTick[t][i];
      }
    },
  };
}
