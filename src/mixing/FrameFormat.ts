import { InvalidArgumentError } from '../errors.js';

export const SAMPLE_RATES = [8000, 16000, 24000, 48000] as const;
export type SampleRate = (typeof SAMPLE_RATES)[number];
export const INTERVALS_MS = [10, 20, 40] as const;
export type IntervalMs = (typeof INTERVALS_MS)[number];

/** The shape of one conference frame: rate x interval, mono int16. */
export class FrameFormat {
  readonly rate: SampleRate;
  readonly intervalMs: IntervalMs;
  /** Samples per frame (960 at 48 kHz / 20 ms). */
  readonly samples: number;
  /** Samples per 1 ms sub-frame, the limiter's granularity. */
  readonly subLen: number;

  constructor(rate: number, intervalMs: number) {
    if (!(SAMPLE_RATES as readonly number[]).includes(rate)) {
      throw new InvalidArgumentError('rate', `must be one of ${SAMPLE_RATES.join(', ')}`);
    }
    if (!(INTERVALS_MS as readonly number[]).includes(intervalMs)) {
      throw new InvalidArgumentError('interval', `must be one of ${INTERVALS_MS.join(', ')} ms`);
    }
    this.rate = rate as SampleRate;
    this.intervalMs = intervalMs as IntervalMs;
    this.subLen = rate / 1000;
    this.samples = this.subLen * intervalMs;
  }
}
