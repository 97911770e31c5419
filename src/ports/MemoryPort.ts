import { InvalidArgumentError } from '../errors.js';
import { FrameRing, type FrameRingSpec } from './FrameRing.js';

export interface MemoryPortSpec {
  kind: 'memory';
  input: FrameRingSpec;
  output: FrameRingSpec;
}

export interface MemoryPortOptions {
  /** Samples per frame: the conference's rate x interval. */
  samples: number;
  /** Frames each direction can hold (default 1500, 30 s at 20 ms). */
  depth?: number;
}

/**
 * The caller's end of an in-memory PCM port, for tests and embedding: write frames the
 * participant says, read the frames it hears. It works the same whether the conference runs
 * inline or on a media worker, because both ends share memory.
 */
export class MemoryPort {
  readonly spec: MemoryPortSpec;
  readonly #input: FrameRing;
  readonly #output: FrameRing;

  constructor(opts: MemoryPortOptions) {
    if (!Number.isInteger(opts.samples) || opts.samples <= 0 || opts.samples > 1920) {
      throw new InvalidArgumentError('samples', 'must be an integer from 1 to 1920');
    }
    const depth = opts.depth ?? 1500;
    this.#input = FrameRing.create(opts.samples, depth);
    this.#output = FrameRing.create(opts.samples, depth);
    this.spec = { kind: 'memory', input: this.#input.spec, output: this.#output.spec };
  }

  /** Queues one frame for the participant to say. Returns false if the queue is full. */
  write(frame: Int16Array): boolean {
    return this.#input.push(frame);
  }

  /** Queues a long signal as consecutive frames (the last partial frame is zero-padded). */
  writeSignal(signal: Int16Array): number {
    const s = this.spec.input.samples;
    let frames = 0;
    for (let at = 0; at < signal.length; at += s) {
      const frame = new Int16Array(s);
      frame.set(signal.subarray(at, Math.min(at + s, signal.length)));
      if (!this.#input.push(frame)) break;
      frames++;
    }
    return frames;
  }

  get pendingInput(): number {
    return this.#input.size;
  }

  /** Everything heard so far, as one signal. */
  readAll(): Int16Array {
    const s = this.spec.output.samples;
    const out = new Int16Array(this.#output.size * s);
    const frame = new Int16Array(s);
    let at = 0;
    while (at < out.length && this.#output.pop(frame)) {
      out.set(frame, at);
      at += s;
    }
    return out.subarray(0, at);
  }

  get outputOverflows(): number {
    return this.#output.overflows;
  }
}
