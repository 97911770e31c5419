// Rational resampler between the conference rates, one instance per stream (it keeps the
// filter history between frames). The polyphase filter is native/codecs/resampler.cc.
import { InvalidArgumentError } from '../errors.js';
import { SAMPLE_RATES, type SampleRate } from '../mixing/FrameFormat.js';
import { native, type NativeResampler } from '../native/binding.js';

/** Largest input accepted per process() call: one second at 48 kHz. */
export const MAX_RESAMPLER_INPUT = 48000;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function checkRate(field: string, rate: number): SampleRate {
  if (!(SAMPLE_RATES as readonly number[]).includes(rate)) {
    throw new InvalidArgumentError(field, `must be one of ${SAMPLE_RATES.join(', ')}`);
  }
  return rate as SampleRate;
}

export class Resampler {
  readonly inRate: SampleRate;
  readonly outRate: SampleRate;
  readonly maxInputSamples: number;
  /** outRate / inRate = up / down, in lowest terms. Input comes in blocks of `down` samples. */
  readonly up: number;
  readonly down: number;
  /**
   * Group delay of the linear-phase filter, in output samples (may be fractional): output
   * sample m shows the input as it was at output time m - delaySamples. 0 when the rates match.
   */
  readonly delaySamples: number;
  #native: NativeResampler | undefined;

  constructor(inRate: number, outRate: number, maxInputSamples: number) {
    this.inRate = checkRate('inRate', inRate);
    this.outRate = checkRate('outRate', outRate);
    const g = gcd(inRate, outRate);
    this.up = outRate / g;
    this.down = inRate / g;
    if (
      !Number.isInteger(maxInputSamples) ||
      maxInputSamples < this.down ||
      maxInputSamples > MAX_RESAMPLER_INPUT
    ) {
      throw new InvalidArgumentError(
        'maxInputSamples',
        `must be an integer from ${this.down} to ${MAX_RESAMPLER_INPUT}`,
      );
    }
    this.maxInputSamples = maxInputSamples;
    if (inRate === outRate) {
      this.delaySamples = 0;
    } else {
      this.#native = new native.Resampler(inRate, outRate, maxInputSamples);
      // The prototype has tapsPerPhase * up taps at the rate inRate * up = outRate * down,
      // symmetric about (taps - 1) / 2; output sample m sits at high-rate index m * down.
      const taps = this.#native.tapsPerPhase() * this.up;
      this.delaySamples = (taps - 1) / 2 / this.down;
    }
  }

  /** Output samples produced by `inputLength` input samples (a whole number of blocks). */
  outputLength(inputLength: number): number {
    if (!Number.isInteger(inputLength) || inputLength < 0 || inputLength % this.down !== 0) {
      throw new InvalidArgumentError('inputLength', `must be a non-negative multiple of ${this.down}`);
    }
    return (inputLength / this.down) * this.up;
  }

  /**
   * Resamples `input` into the start of `output` and returns the number of samples written.
   * input.length must be a multiple of `down` and at most maxInputSamples.
   */
  process(input: Int16Array, output: Int16Array): number {
    if (!(input instanceof Int16Array)) throw new InvalidArgumentError('input', 'must be an Int16Array');
    if (!(output instanceof Int16Array)) throw new InvalidArgumentError('output', 'must be an Int16Array');
    const n = input.length;
    if (n % this.down !== 0) {
      throw new InvalidArgumentError('input', `length must be a multiple of ${this.down}`);
    }
    if (n > this.maxInputSamples) {
      throw new InvalidArgumentError('input', `length must be at most ${this.maxInputSamples}`);
    }
    const outLen = (n / this.down) * this.up;
    if (output.length < outLen) {
      throw new InvalidArgumentError('output', `must hold at least ${outLen} samples`);
    }
    if (n === 0) return 0;
    if (this.#native === undefined) output.set(input);
    else this.#native.process(input, output);
    return outLen;
  }

  /** Forgets the filter history, as at construction. */
  reset(): void {
    this.#native?.reset();
  }
}
