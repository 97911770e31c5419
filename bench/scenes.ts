// Benchmark inputs: a conference of N participants, T of them talking, the rest sending
// low-level noise under the gate (what a real room sounds like), at 48 kHz / 20 ms.
import { Flag } from '../src/mixing/flags.js';
import { FrameFormat } from '../src/mixing/FrameFormat.js';
import { MixBuffers } from '../src/mixing/MixBuffers.js';

export const FORMAT = new FrameFormat(48000, 20);
export const ENERGY_LEVEL = 100;

export function talkerFrame(i: number, samples = FORMAT.samples): Int16Array {
  const f = new Int16Array(samples);
  const freq = 200 + 110 * i;
  for (let s = 0; s < samples; s++) f[s] = Math.round(9000 * Math.sin((2 * Math.PI * freq * s) / FORMAT.rate));
  return f;
}

export function noiseFrame(seed: number, samples = FORMAT.samples): Int16Array {
  const f = new Int16Array(samples);
  let x = seed * 2654435761 || 1;
  for (let s = 0; s < samples; s++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    f[s] = ((x >>> 0) % 121) - 60;
  }
  return f;
}

/** Mix buffers filled for one tick: every participant has input; the first T talk. */
export function kernelScene(n: number, talkers: number): MixBuffers {
  const b = new MixBuffers(FORMAT.samples, n);
  for (let i = 0; i < n; i++) {
    b.inputSlots[i].set(i < talkers ? talkerFrame(i) : noiseFrame(i + 1));
    b.flags[i] = Flag.HasInput;
    b.threshold[i] = ENERGY_LEVEL;
  }
  return b;
}
