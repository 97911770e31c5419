import { afterAll, describe, expect, it } from 'vitest';
import { MAX_RESAMPLER_INPUT, Resampler } from '../../src/codecs/Resampler.js';
import { expectInvalidArgument } from '../helpers/errors.js';

// The claims of native/codecs/resampler.h, measured on tones. With f = the lower rate:
// passband 0 .. 0.425 f within 0.05 dB, and whatever lands in the output from a tone in the
// passband (images) or from one at 0.575 f and up (aliases) at least 70 dB down.
const PASS_EDGE = 0.425;
const STOP_EDGE = 0.575;
const RIPPLE_DB = 0.05;
const REJECTION_DB = 70;

const RATES = [8000, 16000, 24000, 48000] as const;
const PAIRS = RATES.flatMap((a) => RATES.filter((b) => b !== a).map((b) => [a, b] as const));

const AMP = 30000;
const FRAME_MS = 20;
const WARM_FRAMES = 2; // the filter delay is under 3 ms at every pair
const ANALYSIS_FRAMES = 5; // 100 ms: every multiple of 10 Hz is a whole number of cycles
const STEP_HZ = 50;

const db = (ratio: number) => 20 * Math.log10(ratio);

/** Complex DFT of x at `freq` (Goertzel), as [re, im]. */
function dft(x: ArrayLike<number>, freq: number, rate: number): [number, number] {
  const w = (2 * Math.PI * freq) / rate;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  // X = e^{jw(N-1)} (s1 - e^{-jw} s2), rotated back to a window starting at sample 0.
  const re0 = s1 - Math.cos(w) * s2;
  const im0 = Math.sin(w) * s2;
  const rot = -w * (x.length - 1);
  return [re0 * Math.cos(rot) - im0 * Math.sin(rot), re0 * Math.sin(rot) + im0 * Math.cos(rot)];
}

/** Amplitude of the sinusoid at `freq` in x, which holds a whole number of its cycles. */
function amplitude(x: ArrayLike<number>, freq: number, rate: number): number {
  const [re, im] = dft(x, freq, rate);
  const edge = freq === 0 || freq * 2 === rate;
  return (Math.hypot(re, im) * (edge ? 1 : 2)) / x.length;
}

function energy(x: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i] * x[i];
  return e;
}

function toneFrames(rate: number, freq: number, frames: number, frameMs = FRAME_MS, amp = AMP): Int16Array[] {
  const len = (rate * frameMs) / 1000;
  return Array.from({ length: frames }, (_, f) =>
    Int16Array.from({ length: len }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * freq * (f * len + i)) / rate + 0.3))),
  );
}

function run(r: Resampler, frames: Int16Array[]): Int16Array[] {
  return frames.map((input) => {
    const out = new Int16Array(r.outputLength(input.length));
    expect(r.process(input, out)).toBe(out.length);
    return out;
  });
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface ToneResult {
  /** Output level at the tone's own frequency over the input level, in dB (passband tones). */
  gainDb: number;
  /** Input level over everything else in the output (images, aliases, noise), in dB. */
  rejectionDb: number;
}

/** Feeds a tone through a fresh resampler in 20 ms frames and measures the steady state. */
function measureTone(inRate: number, outRate: number, freq: number): ToneResult {
  const r = new Resampler(inRate, outRate, (inRate * FRAME_MS) / 1000);
  const input = toneFrames(inRate, freq, WARM_FRAMES + ANALYSIS_FRAMES);
  const out = concat(run(r, input).slice(WARM_FRAMES));
  const inWindow = concat(input.slice(WARM_FRAMES));
  const inAmp = amplitude(inWindow, freq, inRate);
  const inEnergy = (out.length * inAmp * inAmp) / 2; // an equal-level tone over the output window
  let rest = energy(out);
  let gainDb = Number.NaN;
  if (freq < outRate / 2) {
    const outAmp = amplitude(out, freq, outRate);
    gainDb = db(outAmp / inAmp);
    // Parseval: the tone's share of the window's energy, the rest is everything else.
    rest -= (out.length * outAmp * outAmp) / 2;
  }
  return { gainDb, rejectionDb: 10 * Math.log10(inEnergy / Math.max(rest, 1e-9)) };
}

function tones(from: number, to: number, extra: number[] = []): number[] {
  const set = new Set(extra);
  for (let f = Math.ceil(from / STEP_HZ) * STEP_HZ; f <= to; f += STEP_HZ) set.add(f);
  set.add(from);
  set.add(to);
  return [...set].filter((f) => f > 0 && f >= from && f <= to).sort((a, b) => a - b);
}

const summary: string[] = [];
const namedSummary: string[] = [];
const delaySummary: string[] = [];
afterAll(() => {
  if (summary.length === 0) return;
  console.log(
    [
      `resampler, tones every ${STEP_HZ} Hz (worst case; rejection = input level over all else in the output)`,
      'pair        | passband deviation    | spurious, pass tones  | spurious, stop tones (aliases)',
      ...summary.sort(),
    ].join('\n'),
  );
});

describe.each(PAIRS)('resampler %i -> %i Hz', (inRate, outRate) => {
  const low = Math.min(inRate, outRate);
  const passTop = Math.round(PASS_EDGE * low); // multiples of 10 Hz at every rate
  const stopBottom = Math.round(STOP_EDGE * low);

  it('passes the passband within the documented ripple and keeps images and aliases 70 dB down', () => {
    let worstDev = 0;
    let worstDevAt = 0;
    let worstPassRej = Infinity;
    let worstPassRejAt = 0;
    for (const f of tones(STEP_HZ, passTop, [1000, 0.4 * low])) {
      const m = measureTone(inRate, outRate, f);
      if (Math.abs(m.gainDb) > Math.abs(worstDev)) [worstDev, worstDevAt] = [m.gainDb, f];
      if (m.rejectionDb < worstPassRej) [worstPassRej, worstPassRejAt] = [m.rejectionDb, f];
    }
    let worstStopRej = Infinity;
    let worstStopRejAt = 0;
    if (outRate < inRate) {
      // Every tone from 0.575 f up to the input Nyquist: the whole output is alias.
      for (const f of tones(stopBottom, inRate / 2 - STEP_HZ)) {
        const m = measureTone(inRate, outRate, f);
        if (m.rejectionDb < worstStopRej) [worstStopRej, worstStopRejAt] = [m.rejectionDb, f];
      }
    }
    const stop = outRate < inRate ? `${worstStopRej.toFixed(1)} dB @ ${worstStopRejAt} Hz` : '-';
    summary.push(
      `${`${inRate}->${outRate}`.padEnd(12)}| ${`${worstDev.toFixed(4)} dB @ ${worstDevAt} Hz`.padEnd(22)}| ` +
        `${`${worstPassRej.toFixed(1)} dB @ ${worstPassRejAt} Hz`.padEnd(22)}| ${stop}`,
    );
    expect(Math.abs(worstDev), `passband deviation at ${worstDevAt} Hz`).toBeLessThan(RIPPLE_DB);
    expect(worstPassRej, `images of a ${worstPassRejAt} Hz tone`).toBeGreaterThanOrEqual(REJECTION_DB);
    if (outRate < inRate) {
      expect(worstStopRej, `aliases of a ${worstStopRejAt} Hz tone`).toBeGreaterThanOrEqual(REJECTION_DB);
    }
  });
});

/** Where a component at high-rate frequency `f` lands after decimation to `rate`. */
function fold(f: number, rate: number): number {
  const r = ((f % rate) + rate) % rate;
  return r > rate / 2 ? rate - r : r;
}

describe.each(PAIRS)('resampler %i -> %i Hz, named tones measured at the product frequency', (inRate, outRate) => {
  const low = Math.min(inRate, outRate);
  // Products that would land on 1 kHz and on 0.4 f: for downsampling the input tones
  // outRate -/+ a (aliases), for upsampling the images inRate -/+ a of a passband tone a.
  const cases: { tone: number; product: number }[] = [];
  for (const a of [1000, 0.4 * low]) {
    for (const t of outRate < inRate ? [outRate - a, outRate + a] : [a]) {
      if (t >= inRate / 2) continue;
      const products = outRate < inRate ? [fold(t, outRate)] : [inRate - t, inRate + t].filter((p) => p < outRate / 2);
      for (const product of products) cases.push({ tone: t, product });
    }
  }

  it.each(cases)('tone $tone Hz: product at $product Hz is 70 dB under an equal passband tone', ({ tone, product }) => {
    const r = new Resampler(inRate, outRate, (inRate * FRAME_MS) / 1000);
    const input = toneFrames(inRate, tone, WARM_FRAMES + ANALYSIS_FRAMES);
    const out = concat(run(r, input).slice(WARM_FRAMES));
    const level = amplitude(concat(input.slice(WARM_FRAMES)), tone, inRate);
    // Floored at a thousandth of an LSB: far enough under 70 dB, and no Infinity when the
    // product rounds away entirely.
    const rejection = db(level / Math.max(amplitude(out, product, outRate), 1e-3));
    namedSummary.push(`${inRate}->${outRate} tone ${tone} -> ${product} Hz: ${rejection.toFixed(1)} dB`);
    expect(rejection).toBeGreaterThanOrEqual(REJECTION_DB);
  });
});

afterAll(() => {
  if (namedSummary.length > 0) console.log(namedSummary.join('\n'));
});

/** A reproducible test signal: three tones and white noise, well inside int16. */
function testSignal(rate: number, samples: number, seed: number): Int16Array {
  let state = seed >>> 0;
  const noise = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  return Int16Array.from({ length: samples }, (_, i) => {
    const t = i / rate;
    return Math.round(
      8000 * Math.sin(2 * Math.PI * 440 * t) +
        6000 * Math.sin(2 * Math.PI * 0.3 * rate * t + 1) +
        4000 * Math.sin(2 * Math.PI * 0.45 * rate * t + 2) +
        12000 * noise(),
    );
  });
}

/** Runs `signal` through `r` in blocks of the given input lengths, into one output array. */
function runBlocks(r: Resampler, signal: Int16Array, blocks: number[]): Int16Array {
  const out = new Int16Array(r.outputLength(signal.length));
  let i = 0;
  let o = 0;
  for (const len of blocks) {
    o += r.process(signal.subarray(i, i + len), out.subarray(o));
    i += len;
  }
  expect(i).toBe(signal.length);
  expect(o).toBe(out.length);
  return out;
}

function frames(total: number, len: number): number[] {
  return Array.from({ length: total / len }, () => len);
}

describe.each(PAIRS)('resampler %i -> %i Hz state', (inRate, outRate) => {
  const frame20 = inRate / 50;
  const seconds = 2;
  const signal = testSignal(inRate, inRate * seconds, inRate + outRate);

  it('gives the same samples in 20 ms frames, 10 ms frames and uneven blocks', () => {
    const by20 = runBlocks(new Resampler(inRate, outRate, frame20), signal, frames(signal.length, frame20));
    const by10 = runBlocks(new Resampler(inRate, outRate, frame20), signal, frames(signal.length, frame20 / 2));
    const r = new Resampler(inRate, outRate, frame20);
    const uneven: number[] = [];
    let left = signal.length;
    for (let k = 0; left > 0; k++) {
      // Whole blocks of `down`, from none to a full 20 ms frame.
      const len = Math.min(left, ((k * 7919) % (frame20 / r.down + 1)) * r.down);
      uneven.push(len);
      left -= len;
    }
    const byUneven = runBlocks(r, signal, uneven);
    expect(by10).toEqual(by20);
    expect(byUneven).toEqual(by20);
    expect(by20.some((v) => v !== 0)).toBe(true);
  });

  it('forgets its history on reset()', () => {
    const other = testSignal(inRate, frame20 * 10, 99);
    const fresh = runBlocks(new Resampler(inRate, outRate, frame20), other, frames(other.length, frame20));
    const r = new Resampler(inRate, outRate, frame20);
    runBlocks(r, signal, frames(signal.length, frame20));
    const carried = runBlocks(r, other, frames(other.length, frame20));
    expect(carried).not.toEqual(fresh); // the history of `signal` shows in the first frame
    r.reset();
    runBlocks(r, signal.subarray(0, frame20 * 3), frames(frame20 * 3, frame20));
    r.reset();
    expect(runBlocks(r, other, frames(other.length, frame20))).toEqual(fresh);
  });

  it('delays by delaySamples output samples, as the phase of a 100 Hz tone shows', () => {
    const r = new Resampler(inRate, outRate, frame20);
    expect(r.delaySamples).toBeGreaterThan(0);
    expect(r.delaySamples).toBeLessThan(outRate * 0.003);
    const freq = 100;
    const out = concat(run(r, toneFrames(inRate, freq, WARM_FRAMES + ANALYSIS_FRAMES)).slice(WARM_FRAMES));
    // out[k] = A sin(w (m0 + k - D) + 0.3) with m0 the window start, so the DFT's angle is
    // w (m0 - D) + 0.3 - pi / 2, modulo one period (80 samples or more: no ambiguity).
    const w = (2 * Math.PI * freq) / outRate;
    const [re, im] = dft(out, freq, outRate);
    const m0 = (WARM_FRAMES * outRate) / 50;
    const raw = m0 - (Math.atan2(im, re) - 0.3 + Math.PI / 2) / w;
    const period = outRate / freq;
    const measured = raw - Math.round((raw - r.delaySamples) / period) * period;
    delaySummary.push(`${inRate}->${outRate}: ${r.delaySamples.toFixed(3)} / measured ${measured.toFixed(3)}`);
    expect(Math.abs(measured - r.delaySamples)).toBeLessThan(0.01);
  });
});

afterAll(() => {
  if (delaySummary.length > 0) console.log(`delaySamples / measured:\n${delaySummary.join('\n')}`);
});

describe('Resampler at equal rates', () => {
  it('copies, with no delay', () => {
    const r = new Resampler(16000, 16000, 320);
    expect([r.up, r.down, r.delaySamples]).toEqual([1, 1, 0]);
    const input = testSignal(16000, 320, 5);
    const out = new Int16Array(400).fill(-1);
    expect(r.process(input, out)).toBe(320);
    expect(out.subarray(0, 320)).toEqual(input);
    expect(out[320]).toBe(-1);
    r.reset();
    expect(r.outputLength(160)).toBe(160);
  });
});

describe('Resampler arguments', () => {
  it('reports block sizes and output lengths', () => {
    const r = new Resampler(24000, 16000, 480);
    expect([r.up, r.down]).toEqual([2, 3]);
    expect(r.outputLength(480)).toBe(320);
    expect(r.outputLength(0)).toBe(0);
    expect(new Resampler(8000, 48000, 160).outputLength(160)).toBe(960);
    expect(r.process(new Int16Array(0), new Int16Array(0))).toBe(0);
  });

  const bad = (v: unknown) => v as never;
  const r48to8 = () => new Resampler(48000, 8000, 960);
  const cases: [string, () => unknown, string][] = [
    ['inRate 44100', () => new Resampler(44100, 8000, 960), 'inRate'],
    ['inRate as a string', () => new Resampler(bad('8000'), 16000, 160), 'inRate'],
    ['outRate 11025', () => new Resampler(8000, 11025, 160), 'outRate'],
    ['outRate NaN', () => new Resampler(8000, Number.NaN, 160), 'outRate'],
    ['maxInputSamples 0', () => new Resampler(8000, 16000, 0), 'maxInputSamples'],
    ['maxInputSamples 1.5', () => new Resampler(8000, 16000, 1.5), 'maxInputSamples'],
    ['maxInputSamples NaN', () => new Resampler(8000, 16000, Number.NaN), 'maxInputSamples'],
    ['maxInputSamples too big', () => new Resampler(8000, 16000, MAX_RESAMPLER_INPUT + 1), 'maxInputSamples'],
    ['maxInputSamples under one block', () => new Resampler(48000, 8000, 5), 'maxInputSamples'],
    ['input as Float32Array', () => r48to8().process(bad(new Float32Array(960)), new Int16Array(160)), 'input'],
    ['input as number[]', () => r48to8().process(bad([0, 0, 0, 0, 0, 0]), new Int16Array(1)), 'input'],
    ['output as Uint16Array', () => r48to8().process(new Int16Array(960), bad(new Uint16Array(160))), 'output'],
    ['input not whole blocks', () => r48to8().process(new Int16Array(959), new Int16Array(160)), 'input'],
    ['input over maxInputSamples', () => r48to8().process(new Int16Array(966), new Int16Array(161)), 'input'],
    ['output too short', () => r48to8().process(new Int16Array(960), new Int16Array(159)), 'output'],
    ['outputLength not whole blocks', () => r48to8().outputLength(7), 'inputLength'],
    ['outputLength negative', () => r48to8().outputLength(-6), 'inputLength'],
    ['outputLength fractional', () => r48to8().outputLength(1.5), 'inputLength'],
  ];
  it.each(cases)('rejects %s, naming the field', (_, call, field) => expectInvalidArgument(call, field));
});
