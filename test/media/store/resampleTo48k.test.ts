import { describe, expect, it } from 'vitest';
import { resample, resampleTo48k } from '../../../src/media/store/resampleTo48k.js';
import { goertzelDb } from '../../helpers/audio.js';
import { expectInvalidArgument } from '../../helpers/errors.js';

const OUT = 48000;
const AMP = 0.5;
const AMP_DB = 20 * Math.log10(AMP);

function sineF32(freq: number, rate: number, seconds: number, amp = AMP): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

/** The level of `freq` in the middle of a resampled 0.5 s tone at `inFreq`. */
function level(inRate: number, inFreq: number, freq: number, outRate = OUT): number {
  const out = resample(sineF32(inFreq, inRate, 0.5), inRate, outRate);
  return goertzelDb(out.subarray(outRate / 20, outRate / 20 + outRate / 5), freq, outRate);
}

describe('resampleTo48k', () => {
  it.each([8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 192000, 44056])(
    'from %i Hz: the length scales, and 1 kHz keeps its frequency and level',
    (rate) => {
      const out = resampleTo48k(sineF32(1000, rate, 1.25), rate);
      expect(out.length).toBe(Math.round((Math.round(rate * 1.25) * OUT) / rate));
      const mid = out.subarray(OUT / 8, OUT / 8 + OUT);
      expect(goertzelDb(mid, 1000, OUT)).toBeCloseTo(AMP_DB, 1);
      expect(goertzelDb(mid, 1020, OUT)).toBeLessThan(AMP_DB - 70);
    },
  );

  it('keeps the passband flat within 0.1 dB to 0.425 x the lower rate', () => {
    for (const [rate, top] of [[44100, 18700], [8000, 3400], [96000, 20400]] as const) {
      for (let f = 100; f <= top; f += 700) expect(Math.abs(level(rate, f, f) - AMP_DB), `${rate} Hz, ${f} Hz`).toBeLessThan(0.1);
    }
  });

  it('leaves images of an upsampled tone at least 70 dB down', () => {
    // 44.1 -> 48 kHz: the image of 1 kHz at 43.1 kHz folds to 4.9 kHz; 8 -> 48 kHz: images at 7 and 9 kHz.
    expect(level(44100, 1000, 4900)).toBeLessThan(AMP_DB - 70);
    expect(level(44100, 21000, 23100)).toBeLessThan(AMP_DB - 70);
    expect(level(8000, 1000, 7000)).toBeLessThan(AMP_DB - 70);
    expect(level(8000, 3000, 5000)).toBeLessThan(AMP_DB - 70);
  });

  it('leaves aliases of a downsampled tone above the new Nyquist at least 70 dB down', () => {
    expect(level(96000, 30000, 18000)).toBeLessThan(AMP_DB - 70);
    expect(level(96000, 25000, 23000)).toBeLessThan(AMP_DB - 70);
    expect(level(192000, 50000, 2000)).toBeLessThan(AMP_DB - 70);
    expect(level(48000, 20000, 12000, 16000)).toBeLessThan(AMP_DB - 70); // 20 kHz -> 4 kHz at 16 kHz
  });

  it('does not delay the signal: an impulse stays at its instant', () => {
    const x = new Float32Array(4410);
    x[2205] = 0.9;
    const out = resampleTo48k(x, 44100);
    const peak = out.indexOf(Math.max(...out));
    expect(peak).toBe(2400); // 2205 / 44100 s = 50 ms
  });

  it('resamples 60 s of 44.1 kHz in about a second', () => {
    const input = sineF32(440, 44100, 60);
    const t = performance.now();
    const out = resampleTo48k(input, 44100);
    const elapsed = performance.now() - t;
    console.log(`60 s at 44.1 kHz -> 48 kHz in ${elapsed.toFixed(0)} ms`);
    expect(out.length).toBe(60 * OUT);
    expect(elapsed).toBeLessThan(2500);
  });

  it('refuses rates that are not integers in range', () => {
    expectInvalidArgument(() => resample(new Float32Array(10), 44100.5, OUT), 'inRate');
    expectInvalidArgument(() => resample(new Float32Array(10), 44100, 0), 'outRate');
  });
});
