// Packet loss concealment for G.711 (and any codec without its own PLC), a simplified take on
// ITU-T G.711 Appendix I: on the first lost frame, estimate the pitch period (5-15 ms) by
// normalised autocorrelation over the recent history, then repeat the last period. The repeat
// plays at full gain for 10 ms, then fades linearly by 20% per 10 ms, silent from 60 ms on. The
// first good frame after a loss is crossfaded from the continued repeat (4 ms, plus 4 ms for each
// further 10 ms lost, at most 10 ms). Simplifications: one pitch period only (Appendix I widens
// to 2-3 periods as the loss grows), and no 3.75 ms output delay: the loop point is smoothed
// inside the repeated period instead of at the end of the last good frame.
// Everything is preallocated; onGoodFrame() and conceal() never allocate.
import { InvalidArgumentError } from '../errors.js';

export interface G711ConcealerOptions {
  /** Sample rate of the frames, 8000 for G.711 (default). Any rate of 8000..48000 works. */
  sampleRate?: number;
}

export class G711Concealer {
  readonly sampleRate: number;
  readonly #minPitch: number;
  readonly #maxPitch: number;
  /** Correlation window of the pitch search: the last 20 ms. */
  readonly #window: number;
  /** 10 ms: the unit of the fade and of the rejoin crossfade. */
  readonly #tenMs: number;
  /** The most recent audio played out (good or concealed), newest last. */
  readonly #history: Int16Array;
  /** One pitch period, its end blended into the audio one period earlier so it loops smoothly. */
  readonly #cycle: Float32Array;
  #pitch = 0;
  #phase = 0;
  /** Samples concealed so far in the current loss; 0 while audio is good. */
  #erased = 0;

  constructor(options: G711ConcealerOptions = {}) {
    const rate = options.sampleRate ?? 8000;
    if (!Number.isInteger(rate) || rate < 8000 || rate > 48000) {
      throw new InvalidArgumentError('sampleRate', 'must be an integer in 8000..48000');
    }
    this.sampleRate = rate;
    this.#minPitch = Math.round(rate * 0.005);
    this.#maxPitch = Math.round(rate * 0.015);
    this.#window = Math.round(rate * 0.02);
    this.#tenMs = Math.round(rate * 0.01);
    this.#history = new Int16Array(Math.max(this.#maxPitch + this.#window, 2 * this.#maxPitch));
    this.#cycle = new Float32Array(this.#maxPitch);
  }

  /** True while the last frame was concealed. */
  get concealing(): boolean {
    return this.#erased > 0;
  }
  /** Samples concealed in the current loss. */
  get erasedSamples(): number {
    return this.#erased;
  }
  /** Pitch period, in samples, found at the start of the last loss (0 before any loss). */
  get pitchSamples(): number {
    return this.#pitch;
  }

  /**
   * Records a good frame. After a loss it first rewrites the start of `frame` in place as a
   * crossfade from the continued repeat, so playout joins without a click.
   */
  onGoodFrame(frame: Int16Array): void {
    if (this.#erased > 0) {
      const tenMs = this.#tenMs;
      const tens = Math.ceil(this.#erased / tenMs);
      const len = Math.min(frame.length, Math.round(0.4 * tenMs * tens), tenMs);
      for (let i = 0; i < len; i++) {
        const w = (i + 1) / (len + 1);
        frame[i] = Math.round((1 - w) * this.#nextSynth() + w * frame[i]);
      }
      this.#erased = 0;
    }
    this.#remember(frame);
  }

  /** Fills `out` with concealment for one lost frame (any length). */
  conceal(out: Int16Array): void {
    if (this.#erased === 0) this.#startLoss();
    for (let i = 0; i < out.length; i++) out[i] = Math.round(this.#nextSynth());
    this.#remember(out);
  }

  /** Forgets all history, as for a new stream. */
  reset(): void {
    this.#history.fill(0);
    this.#cycle.fill(0);
    this.#erased = 0;
    this.#pitch = 0;
    this.#phase = 0;
  }

  /** The next sample of the faded repeat; advances the loss position. */
  #nextSynth(): number {
    const t = this.#erased++;
    const tenMs = this.#tenMs;
    if (t >= 6 * tenMs) return 0;
    const gain = t < tenMs ? 1 : 1 - (0.2 * (t - tenMs)) / tenMs;
    const v = this.#cycle[this.#phase];
    if (++this.#phase === this.#pitch) this.#phase = 0;
    return v * gain;
  }

  #startLoss(): void {
    const h = this.#history;
    const end = h.length;
    const p = this.#findPitch();
    const q = p >> 2;
    for (let i = 0; i < p; i++) this.#cycle[i] = h[end - p + i];
    // Blend the last quarter period towards the samples one period earlier: the loop then
    // ends where the waveform precedes the period's first sample, and wraps without a step.
    for (let j = 0; j < q; j++) {
      const i = p - q + j;
      const w = (j + 1) / (q + 1);
      this.#cycle[i] = (1 - w) * h[end - p + i] + w * h[end - 2 * p + i];
    }
    this.#pitch = p;
    this.#phase = 0;
  }

  /** The lag in minPitch..maxPitch that best predicts the last 20 ms (normalised correlation). */
  #findPitch(): number {
    const h = this.#history;
    const end = h.length;
    const win = this.#window;
    // Coarse search on every d-th sample and lag (d = 1 at 8 kHz), then refine around the best.
    const d = Math.max(1, Math.floor(this.sampleRate / 8000));
    let best = this.#minPitch;
    let bestScore = -Infinity;
    for (let lag = this.#minPitch; lag <= this.#maxPitch; lag += d) {
      const s = this.#score(end - win, win, lag, d);
      if (s > bestScore) {
        bestScore = s;
        best = lag;
      }
    }
    if (d > 1) {
      const from = Math.max(this.#minPitch, best - d + 1);
      const to = Math.min(this.#maxPitch, best + d - 1);
      bestScore = -Infinity;
      for (let lag = from; lag <= to; lag++) {
        const s = this.#score(end - win, win, lag, 1);
        if (s > bestScore) {
          bestScore = s;
          best = lag;
        }
      }
    }
    return best;
  }

  #score(start: number, win: number, lag: number, step: number): number {
    const h = this.#history;
    let corr = 0;
    let energy = 0;
    for (let i = 0; i < win; i += step) {
      const past = h[start + i - lag];
      corr += h[start + i] * past;
      energy += past * past;
    }
    return energy > 0 ? corr / Math.sqrt(energy) : 0;
  }

  #remember(frame: Int16Array): void {
    const h = this.#history;
    const n = frame.length;
    if (n >= h.length) {
      for (let i = 0, from = n - h.length; i < h.length; i++) h[i] = frame[from + i];
    } else {
      h.copyWithin(0, n);
      h.set(frame, h.length - n);
    }
  }
}
