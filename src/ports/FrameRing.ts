/**
 * A single-producer single-consumer ring of fixed-size int16 frames in a SharedArrayBuffer,
 * so a test (or any producer) on one thread can feed a conference running on another.
 * Indices are published with Atomics; neither side ever blocks. A push to a full ring is
 * refused and counted.
 */
export interface FrameRingSpec {
  buffer: SharedArrayBuffer;
  samples: number;
  depth: number;
}

const WRITE = 0;
const READ = 1;
const OVERFLOW = 2;
const HEADER_BYTES = 16;

export class FrameRing {
  readonly spec: FrameRingSpec;
  readonly #index: Int32Array;
  readonly #frames: Int16Array[];

  constructor(spec: FrameRingSpec) {
    this.spec = spec;
    this.#index = new Int32Array(spec.buffer, 0, 4);
    this.#frames = [];
    for (let i = 0; i < spec.depth; i++) {
      this.#frames.push(new Int16Array(spec.buffer, HEADER_BYTES + i * spec.samples * 2, spec.samples));
    }
  }

  static create(samples: number, depth: number): FrameRing {
    const buffer = new SharedArrayBuffer(HEADER_BYTES + samples * depth * 2);
    return new FrameRing({ buffer, samples, depth });
  }

  /** Frames waiting to be read. */
  get size(): number {
    return Atomics.load(this.#index, WRITE) - Atomics.load(this.#index, READ);
  }

  get overflows(): number {
    return Atomics.load(this.#index, OVERFLOW);
  }

  push(frame: Int16Array): boolean {
    const w = Atomics.load(this.#index, WRITE);
    if (w - Atomics.load(this.#index, READ) >= this.spec.depth) {
      Atomics.add(this.#index, OVERFLOW, 1);
      return false;
    }
    this.#frames[w % this.spec.depth].set(frame.length === this.spec.samples ? frame : frame.subarray(0, this.spec.samples));
    Atomics.store(this.#index, WRITE, w + 1);
    return true;
  }

  pop(dst: Int16Array): boolean {
    const r = Atomics.load(this.#index, READ);
    if (r === Atomics.load(this.#index, WRITE)) return false;
    dst.set(this.#frames[r % this.spec.depth]);
    Atomics.store(this.#index, READ, r + 1);
    return true;
  }
}
