// One-shot resampling of a whole decoded file to 48 kHz (or any rate), for uploads at rates the
// native per-stream resampler does not take (44.1 kHz, 22.05 kHz, 96 kHz...). It runs once per
// upload, never per tick.
//
// A Kaiser-windowed sinc, evaluated by bandlimited interpolation (J. O. Smith): the kernel is
// tabulated at TABLE_STEPS points per input sample and interpolated linearly, so any ratio,
// rational or not, costs the same. With f = the lower of the two rates, the passband runs to
// 0.425 f and the stopband starts at 0.5 f (nothing aliases, and no image survives), with at
// least 75 dB of rejection by design; the table interpolation error stays below -85 dB. The
// filter is linear-phase and centred on each output instant: the output is not delayed.
import { InvalidArgumentError } from '../../errors.js';

export const TARGET_RATE = 48000;

const STOPBAND_DB = 75;
const PASS_EDGE = 0.425; // x f
const STOP_EDGE = 0.5; // x f
const TABLE_STEPS = 512;

/** Resamples mono samples in [-1, 1] at `inRate` to 48 kHz 16-bit. */
export function resampleTo48k(samples: Float32Array, inRate: number): Int16Array {
  return resample(samples, inRate, TARGET_RATE);
}

/** Resamples mono samples in [-1, 1] from `inRate` to `outRate`, as 16-bit. */
export function resample(samples: Float32Array, inRate: number, outRate: number): Int16Array {
  for (const [field, rate] of [['inRate', inRate], ['outRate', outRate]] as const) {
    if (!Number.isInteger(rate) || rate < 1000 || rate > 1_000_000) {
      throw new InvalidArgumentError(field, 'must be an integer from 1000 to 1000000 Hz');
    }
  }
  if (inRate === outRate) return toInt16(samples);
  const kernel = Kernel.for(inRate, outRate);
  const { table, diff, end } = kernel;
  const x = samples;
  const len = x.length;
  const out = new Int16Array(Math.round((len * outRate) / inRate));
  for (let n = 0; n < out.length; n++) {
    // The output instant in input samples, i + frac, from integers so it never drifts.
    const num = n * inRate;
    const i = Math.floor(num / outRate);
    const frac = (num - i * outRate) / outRate;
    let sum = 0;
    // Taps at and before the instant, at distances frac, frac + 1, ...: one table phase.
    const fl = frac * TABLE_STEPS;
    const jl = Math.floor(fl);
    const el = fl - jl;
    for (let j = jl, k = i; j < end && k >= 0; j += TABLE_STEPS, k--) {
      if (k < len) sum += x[k] * (table[j] + el * diff[j]);
    }
    // Taps after it, at distances 1 - frac, 2 - frac, ...
    const fr = (1 - frac) * TABLE_STEPS;
    const jr = Math.floor(fr);
    const er = fr - jr;
    for (let j = jr, k = i + 1; j < end && k < len; j += TABLE_STEPS, k++) sum += x[k] * (table[j] + er * diff[j]);
    const v = Math.round(sum * 32768);
    out[n] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** The tabulated half kernel (distance 0 .. W input samples) and its first differences. */
class Kernel {
  static #cache = new Map<string, Kernel>();
  readonly table: Float64Array;
  readonly diff: Float64Array;
  /** Table entries in use: distances below end / TABLE_STEPS input samples. */
  readonly end: number;

  static for(inRate: number, outRate: number): Kernel {
    const key = `${inRate}/${outRate}`;
    let k = Kernel.#cache.get(key);
    if (!k) {
      if (Kernel.#cache.size >= 16) Kernel.#cache.clear();
      Kernel.#cache.set(key, (k = new Kernel(inRate, outRate)));
    }
    return k;
  }

  private constructor(inRate: number, outRate: number) {
    const low = Math.min(inRate, outRate);
    // Band edges as fractions of the input rate.
    const cutoff = ((PASS_EDGE + STOP_EDGE) / 2) * (low / inRate);
    const transition = (STOP_EDGE - PASS_EDGE) * (low / inRate);
    // Kaiser's estimates: window length from attenuation and transition width, and beta.
    const halfWidth = (STOPBAND_DB - 7.95) / (2.285 * 2 * Math.PI * transition) / 2;
    const beta = 0.1102 * (STOPBAND_DB - 8.7);
    this.end = Math.floor(halfWidth * TABLE_STEPS) + 1;
    this.table = new Float64Array(this.end + 1);
    const i0beta = besselI0(beta);
    for (let j = 0; j < this.end; j++) {
      const d = j / TABLE_STEPS;
      const r = d / halfWidth;
      const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0beta;
      this.table[j] = 2 * cutoff * sinc(2 * cutoff * d) * window;
    }
    this.diff = new Float64Array(this.end);
    for (let j = 0; j < this.end; j++) this.diff[j] = this.table[j + 1] - this.table[j];
  }
}

function sinc(x: number): number {
  return x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
}

/** The modified Bessel function of the first kind, order 0, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50 && term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i] * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}
