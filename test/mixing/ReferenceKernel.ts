// The mix kernel as its plain definition, for property tests and benchmarks against native.
// Deliberately unlike the native code: each listener's mix is the direct sum of the
// contributors it hears (O(N x K) per sample), and top-K is a sort. Integer arithmetic is
// the same, so the two must agree to the bit.
import {
  DEFAULT_LIMITER_RELEASE_Q16,
  DEFAULT_LIMITER_THRESHOLD,
  Flag,
  OutputMode,
  UNITY_GAIN_Q12,
  UNITY_GAIN_Q16,
} from '../../src/mixing/flags.js';
import type { Kernel, KernelSettings } from '../../src/mixing/MixKernel.js';
import { validateKernelSettings } from '../../src/mixing/MixKernel.js';
import type { MixBuffers } from '../../src/mixing/MixBuffers.js';
import type { FrameFormat } from '../../src/mixing/FrameFormat.js';

export class ReferenceKernel implements Kernel {
  readonly samples: number;
  readonly subLen: number;
  settings: KernelSettings = { topK: 8, comfortNoise: 0 };
  threshold = DEFAULT_LIMITER_THRESHOLD;
  release = DEFAULT_LIMITER_RELEASE_Q16;
  rng = 0x9e3779b9;

  constructor(format: Pick<FrameFormat, 'samples' | 'subLen'>) {
    this.samples = format.samples;
    this.subLen = format.subLen;
  }

  configure(settings: KernelSettings): void {
    validateKernelSettings(settings);
    this.settings = { ...settings };
  }

  seed(seed: number): void {
    this.rng = seed >>> 0 || 1;
  }

  mix(b: MixBuffers, n: number, confInject: boolean): number {
    const S = this.samples;
    const scaled = new Map<number, Int32Array>();
    const candidates: number[] = [];
    for (let i = 0; i < n; i++) {
      b.mixed[i] = 0;
      if (!(b.flags[i] & Flag.HasInput)) {
        b.energy[i] = 0;
        b.peak[i] = 0;
        continue;
      }
      const x = this.scale(b.input.subarray(i * S, (i + 1) * S), b.inGain[i]);
      let sum = 0;
      let peak = 0;
      for (const v of x) {
        sum += Math.abs(v);
        peak = Math.max(peak, Math.abs(v));
      }
      b.energy[i] = Math.floor(sum / S);
      b.peak[i] = peak;
      if (b.flags[i] & (Flag.Muted | Flag.Held)) continue;
      if (b.energy[i] < Math.max(b.threshold[i], 1)) continue;
      candidates.push(i);
      scaled.set(i, x);
    }
    candidates.sort((a, c) => b.energy[c] - b.energy[a] || a - c);
    const contributors = candidates.slice(0, this.settings.topK);
    for (const c of contributors) b.mixed[c] = 1;
    const isCoach = (i: number) => b.coachOf[i] >= 0;
    const publicSet = contributors.filter((c) => !isCoach(c));

    const sharedStart = b.limiterGain[b.capacity];
    const shared = this.sumOf(publicSet, scaled);
    // Nobody heard this tick: every listener hears the comfort noise.
    const quiet = contributors.length === 0 && this.settings.comfortNoise > 0;
    let noise: Int16Array | undefined;
    if (quiet) addInto(shared, (noise ??= this.noise()));
    if (confInject) addInto(shared, b.confInject);
    const sharedState = { gain: b.limiterGain[b.capacity] };
    this.limit(shared, b.shared, sharedState);
    b.limiterGain[b.capacity] = sharedState.gain;

    for (let l = 0; l < n; l++) {
      const inject = (b.flags[l] & Flag.Inject) !== 0;
      let acc: Int32Array;
      b.sole[l] = -1;
      if (b.flags[l] & (Flag.Deaf | Flag.Held)) {
        if (!inject && this.settings.comfortNoise === 0) {
          b.mode[l] = OutputMode.Silent;
          continue;
        }
        acc = new Int32Array(S);
        if (this.settings.comfortNoise > 0) {
          noise ??= this.noise();
          addInto(acc, noise);
        }
      } else {
        const excluded = new Set(b.exList.subarray(b.exOffsets[l], b.exOffsets[l + 1]));
        const heard = contributors.filter(
          (c) => c !== l && !excluded.has(c) && (!isCoach(c) || b.coachOf[c] === l),
        );
        const unaltered = !confInject && !inject && b.outGain[l] === UNITY_GAIN_Q12;
        if (unaltered && heard.length === 1 && b.inGain[heard[0]] === UNITY_GAIN_Q12) b.sole[l] = heard[0];
        const same = heard.length === publicSet.length && heard.every((c) => publicSet.includes(c));
        if (same && !inject && b.outGain[l] === UNITY_GAIN_Q12) {
          b.mode[l] = OutputMode.Shared;
          continue;
        }
        acc = this.sumOf(heard, scaled);
        if (quiet) addInto(acc, noise!);
        if (confInject) addInto(acc, b.confInject);
      }
      if (inject) addInto(acc, b.inject.subarray(l * S, (l + 1) * S));
      if (b.outGain[l] !== UNITY_GAIN_Q12) {
        for (let s = 0; s < S; s++) acc[s] = Math.floor((acc[s] * b.outGain[l] + 2048) / 4096);
      }
      const state = { gain: b.mode[l] === OutputMode.Personal ? b.limiterGain[l] : sharedStart };
      this.limit(acc, b.outputSlots[l], state);
      b.limiterGain[l] = state.gain;
      b.mode[l] = OutputMode.Personal;
    }
    return contributors.length;
  }

  private scale(x: Int16Array, gain: number): Int32Array {
    const out = new Int32Array(x.length);
    for (let s = 0; s < x.length; s++) {
      out[s] = Math.max(-32768, Math.min(32767, Math.floor((x[s] * gain + 2048) / 4096)));
    }
    return out;
  }

  private sumOf(ids: number[], scaled: Map<number, Int32Array>): Int32Array {
    const acc = new Int32Array(this.samples);
    for (const id of ids) addInto(acc, scaled.get(id)!);
    return acc;
  }

  private noise(): Int16Array {
    const level = this.settings.comfortNoise;
    const out = new Int16Array(this.samples);
    for (let s = 0; s < this.samples; s++) {
      let x = this.rng;
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      this.rng = x;
      out[s] = (x % (2 * level + 1)) - level;
    }
    return out;
  }

  /** The limiter of native/mixing/limiter.cc, sub-frame by sub-frame. */
  private limit(acc: Int32Array, out: Int16Array, state: { gain: number }): void {
    const L = this.subLen;
    const count = acc.length / L;
    const desired: number[] = [];
    for (let k = 0; k < count; k++) {
      let peak = 0;
      for (let j = 0; j < L; j++) peak = Math.max(peak, Math.abs(acc[k * L + j]));
      desired.push(peak <= this.threshold ? UNITY_GAIN_Q16 : Math.floor((this.threshold * UNITY_GAIN_Q16) / peak));
    }
    let start = Math.min(state.gain, desired[0]);
    for (let k = 0; k < count; k++) {
      let end = Math.min(UNITY_GAIN_Q16, start + this.release, desired[k]);
      if (k + 1 < count) end = Math.min(end, desired[k + 1]);
      for (let j = 0; j < L; j++) {
        const g = start + Math.trunc(((end - start) * j) / L);
        const y = Math.floor((acc[k * L + j] * g) / UNITY_GAIN_Q16);
        out[k * L + j] = Math.max(-32768, Math.min(32767, y));
      }
      start = end;
    }
    state.gain = start;
  }
}

function addInto(acc: Int32Array, x: Int16Array | Int32Array): void {
  for (let s = 0; s < acc.length; s++) acc[s] += x[s];
}
