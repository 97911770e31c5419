import type { FrameSource } from '../ports/PcmPort.js';
import { parseToneStream, type ToneProgram } from './toneStream.js';

/** Each tone component's amplitude: -12 dBFS for a single tone, split between several. */
const LEVEL = 8000;

export interface ToneSourceSpec {
  kind: 'tone';
  /** A tone_stream:// string. */
  tone: string;
}

/** Generates a tone_stream program frame by frame at the conference rate; ends after its loops. */
export class ToneSource implements FrameSource {
  readonly #program: ToneProgram;
  readonly #rate: number;
  #segment = 0;
  #sampleInSegment = 0;
  #loopsDone = 0;
  readonly #phase = new Float64Array(4);
  #done = false;

  constructor(spec: ToneSourceSpec, rate: number) {
    this.#program = parseToneStream(spec.tone);
    this.#rate = rate;
  }

  get done(): boolean {
    return this.#done;
  }

  readFrame(dst: Int16Array): boolean {
    if (this.#done) return false;
    for (let i = 0; i < dst.length; i++) dst[i] = this.#next();
    return true;
  }

  close(): void {
    this.#done = true;
  }

  #next(): number {
    if (this.#done) return 0;
    const seg = this.#program.segments[this.#segment];
    const on = Math.round((seg.onMs * this.#rate) / 1000);
    const total = on + Math.round((seg.offMs * this.#rate) / 1000);
    let v = 0;
    if (this.#sampleInSegment < on && seg.freqs.length > 0) {
      const amp = LEVEL / seg.freqs.length;
      for (let k = 0; k < seg.freqs.length; k++) {
        const phase = this.#phase[k] + (2 * Math.PI * seg.freqs[k]) / this.#rate;
        this.#phase[k] = phase % (2 * Math.PI);
        v += amp * Math.sin(phase);
      }
    }
    if (++this.#sampleInSegment >= total) this.#advance();
    return Math.round(v);
  }

  #advance(): void {
    this.#sampleInSegment = 0;
    this.#phase.fill(0);
    if (++this.#segment < this.#program.segments.length) return;
    this.#segment = 0;
    this.#loopsDone++;
    if (this.#program.loops !== -1 && this.#loopsDone >= this.#program.loops) this.#done = true;
  }
}
