import { describe, expect, it } from 'vitest';
import { Flag, OutputMode, UNITY_GAIN_Q12, UNITY_GAIN_Q16 } from '../../src/mixing/flags.js';
import { MixBuffers } from '../../src/mixing/MixBuffers.js';
import { MixKernel } from '../../src/mixing/MixKernel.js';
import { ReferenceKernel } from './ReferenceKernel.js';
import { randomScenario } from './randomCase.js';
import { FrameFormat } from '../../src/mixing/FrameFormat.js';

const CASES = 10_000;

function runBoth(seed: number) {
  const sc = randomScenario(seed);
  const format = { samples: sc.samples, subLen: sc.subLen } as FrameFormat;
  const native = new MixKernel(format);
  const reference = new ReferenceKernel(format);
  const settings = { topK: sc.topK, comfortNoise: sc.comfortNoise };
  native.configure(settings);
  reference.configure(settings);
  native.seed(seed);
  reference.seed(seed);
  const nb = new MixBuffers(sc.samples, 1);
  const rb = new MixBuffers(sc.samples, 1);
  sc.setup(nb);
  sc.setup(rb);
  const mismatches: string[] = [];
  const seen = new Set<string>();
  for (let t = 0; t < sc.ticks; t++) {
    sc.fill(nb, t);
    sc.fill(rb, t);
    const cn = native.mix(nb, sc.count, sc.confInject[t]);
    const cr = reference.mix(rb, sc.count, sc.confInject[t]);
    noteCoverage(nb, sc.count, sc.topK, seen);
    if (cn !== cr) mismatches.push(`tick ${t}: contributors ${cn} vs ${cr}`);
    for (const key of ['energy', 'peak', 'mixed', 'mode', 'sole'] as const) {
      for (let i = 0; i < sc.count; i++) {
        if (nb[key][i] !== rb[key][i]) mismatches.push(`tick ${t}: ${key}[${i}] ${nb[key][i]} vs ${rb[key][i]}`);
      }
    }
    for (let i = 0; i <= sc.count; i++) {
      const slot = i === sc.count ? nb.capacity : i;
      if (i < sc.count && nb.mode[i] !== OutputMode.Personal) continue;
      if (nb.limiterGain[slot] !== rb.limiterGain[slot]) mismatches.push(`tick ${t}: limiterGain[${slot}]`);
      const a = i === sc.count ? nb.shared : nb.outputSlots[i];
      const b = i === sc.count ? rb.shared : rb.outputSlots[i];
      for (let s = 0; s < a.length; s++) {
        if (a[s] !== b[s]) {
          mismatches.push(`tick ${t}: slot ${i} sample ${s}: ${a[s]} vs ${b[s]}`);
          break;
        }
      }
    }
  }
  return { sc, mismatches, seen };
}

/** Records which features a tick actually exercised, so the property cannot pass vacuously. */
function noteCoverage(b: MixBuffers, n: number, topK: number, seen: Set<string>) {
  let mixed = 0;
  for (let i = 0; i < n; i++) {
    mixed += b.mixed[i];
    if (b.mixed[i] && b.coachOf[i] >= 0) seen.add('coach');
    if (b.flags[i] & Flag.Muted && b.energy[i] > 0) seen.add('mute');
    if (b.flags[i] & Flag.Deaf) seen.add('deaf');
    if (b.flags[i] & Flag.Inject && b.mode[i] === OutputMode.Personal) seen.add('inject');
    if (b.mixed[i] && b.inGain[i] !== UNITY_GAIN_Q12) seen.add('gain');
    if (b.mode[i] === OutputMode.Personal && b.limiterGain[i] < UNITY_GAIN_Q16) seen.add('limiter');
    if (b.sole[i] >= 0) seen.add('sole');
    for (let e = b.exOffsets[i]; e < b.exOffsets[i + 1]; e++) if (b.mixed[b.exList[e]]) seen.add('relate');
  }
  if (b.limiterGain[b.capacity] < UNITY_GAIN_Q16) seen.add('limiter');
  if (mixed === topK) seen.add('topK');
}

describe('native mix kernel', () => {
  it(`equals the reference on ${CASES} random cases (relate, coach, deaf, mute, top-K, gains, limiter)`, () => {
    const coverage: Record<string, number> = {};
    for (let seed = 1; seed <= CASES; seed++) {
      const { mismatches, seen } = runBoth(seed);
      if (mismatches.length) throw new Error(`seed ${seed}: ${mismatches.slice(0, 5).join('; ')}`);
      for (const k of seen) coverage[k] = (coverage[k] ?? 0) + 1;
    }
    console.log('cases exercising each feature', coverage);
    for (const feature of ['relate', 'coach', 'deaf', 'mute', 'topK', 'gain', 'limiter', 'inject', 'sole']) {
      expect(coverage[feature] ?? 0, feature).toBeGreaterThan(200);
    }
  }, 120_000);
});
