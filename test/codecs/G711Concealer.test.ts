import { describe, expect, it } from 'vitest';
import { G711Concealer } from '../../src/codecs/G711Concealer.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { rmsDb, tone } from '../helpers/audio.js';
import { speechLike } from './opusFixtures.js';

const RATE = 8000;
const FRAME = 80; // 10 ms

function maxStep(x: Int16Array): number {
  let m = 0;
  for (let i = 1; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - x[i - 1]));
  return m;
}

/**
 * Plays `signal` in 10 ms frames through a concealer, losing the frames in `lost`, and returns
 * what a listener hears.
 */
function playout(signal: Int16Array, lost: Set<number>, plc = new G711Concealer()): Int16Array {
  const out = new Int16Array(signal.length);
  for (let f = 0; f * FRAME < signal.length; f++) {
    const frame = out.subarray(f * FRAME, (f + 1) * FRAME);
    if (lost.has(f)) plc.conceal(frame);
    else {
      frame.set(signal.subarray(f * FRAME, (f + 1) * FRAME));
      plc.onGoodFrame(frame);
    }
  }
  return out;
}

const range = (from: number, to: number) => new Set(Array.from({ length: to - from }, (_, i) => from + i));

describe('G711Concealer', () => {
  it('finds the pitch period by autocorrelation (125 Hz voice: 64 samples at 8 kHz, 384 at 48 kHz)', () => {
    for (const rate of [8000, 48000]) {
      const plc = new G711Concealer({ sampleRate: rate });
      plc.onGoodFrame(speechLike(rate / 20, 0, rate, 125));
      plc.conceal(new Int16Array(rate / 100));
      expect(plc.pitchSamples).toBe((rate / 125) | 0);
    }
  });

  it('continues a voiced signal across a lost frame without a click', () => {
    // 117 Hz: a period of 68.4 samples, deliberately not a whole number.
    const signal = speechLike(RATE / 2, 0, RATE, 117);
    const natural = maxStep(signal);
    for (const lost of [range(20, 21), range(20, 22), range(20, 24)]) {
      const heard = playout(signal, lost);
      expect(maxStep(heard)).toBeLessThan(1.5 * natural);
    }
  });

  it('keeps a tone continuous at the loss and at the rejoin (270 Hz, period 29.6 samples)', () => {
    const signal = tone(270, RATE, 0.5, 10000);
    const natural = maxStep(signal);
    const heard = playout(signal, range(11, 13)); // the loss starts near a peak (sin = -0.95)
    expect(maxStep(heard)).toBeLessThan(1.5 * natural);
    // Zero-filling the same loss instead clicks far past that bound.
    const zeroed = signal.slice().fill(0, 11 * FRAME, 13 * FRAME);
    expect(maxStep(zeroed)).toBeGreaterThan(3 * natural);
    // The first 10 ms of concealment are the tone at full level, close to the audio it replaces.
    const concealed = heard.subarray(11 * FRAME, 12 * FRAME);
    const truth = signal.subarray(11 * FRAME, 12 * FRAME);
    expect(Math.abs(rmsDb(concealed) - rmsDb(truth))).toBeLessThan(1);
    const error = concealed.map((v, i) => v - truth[i]);
    expect(rmsDb(truth) - rmsDb(error)).toBeGreaterThan(25); // SNR in dB
  });

  it('holds full level for 10 ms, fades by 20% per 10 ms, and is silent from 60 ms', () => {
    const signal = speechLike(RATE, 0, RATE, 125);
    const heard = playout(signal, range(20, 30));
    const level = (f: number) => rmsDb(heard.subarray(f * FRAME, (f + 1) * FRAME));
    const ref = rmsDb(signal.subarray(19 * FRAME, 20 * FRAME));
    expect(Math.abs(level(20) - ref)).toBeLessThan(1.5);
    for (let f = 21; f < 26; f++) expect(level(f)).toBeLessThan(level(f - 1));
    expect(level(25)).toBeLessThan(ref - 14); // 50-60 ms: gain 0.2 falling to 0
    for (let f = 26; f < 30; f++) expect(heard.subarray(f * FRAME, (f + 1) * FRAME).every((v) => v === 0)).toBe(true);
  });

  it('fades back in after a long loss, then passes audio untouched', () => {
    const signal = tone(270, RATE, 0.5, 10000);
    const plc = new G711Concealer();
    const heard = playout(signal, range(10, 20), plc);
    expect(plc.concealing).toBe(false);
    expect(maxStep(heard)).toBeLessThan(1.5 * maxStep(signal));
    // After 100 ms lost the rejoin crossfade is 10 ms (frame 20); from frame 21 on, audio is exact.
    expect(heard.subarray(21 * FRAME)).toEqual(signal.subarray(21 * FRAME));
    expect(heard.subarray(20 * FRAME, 21 * FRAME)).not.toEqual(signal.subarray(20 * FRAME, 21 * FRAME));
  });

  it('crossfades 4 ms after a 10 ms loss, and leaves good frames alone when nothing was lost', () => {
    const signal = tone(270, RATE, 0.2, 10000);
    const heard = playout(signal, range(5, 6));
    expect(heard.subarray(6 * FRAME + 32)).toEqual(signal.subarray(6 * FRAME + 32));
    expect(playout(signal, new Set())).toEqual(signal);
  });

  it('works with frames of any length, 20 ms G.711 packets included', () => {
    const signal = speechLike(RATE / 2, 0, RATE, 117);
    const plc = new G711Concealer();
    const out = new Int16Array(signal.length);
    for (let f = 0; f * 160 < signal.length; f++) {
      const frame = out.subarray(f * 160, (f + 1) * 160);
      if (f === 8) plc.conceal(frame);
      else plc.onGoodFrame(frame.set(signal.subarray(f * 160, (f + 1) * 160)) ?? frame);
    }
    expect(maxStep(out)).toBeLessThan(1.5 * maxStep(signal));
  });

  it('conceals silence before any audio, and again after reset()', () => {
    const plc = new G711Concealer();
    const out = new Int16Array(FRAME).fill(7);
    plc.conceal(out);
    expect(out.every((v) => v === 0)).toBe(true);
    plc.onGoodFrame(tone(300, RATE, 0.05, 10000));
    plc.reset();
    out.fill(7);
    plc.conceal(out);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it('rejects a sample rate outside 8000..48000', () => {
    for (const sampleRate of [0, 7999, 48001, 8000.5]) expectInvalidArgument(() => new G711Concealer({ sampleRate }), 'sampleRate');
  });
});
