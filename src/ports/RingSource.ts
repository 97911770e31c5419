import { FrameRing, type FrameRingSpec } from './FrameRing.js';
import type { FrameSource } from './PcmPort.js';

export interface RingSourceSpec {
  kind: 'ring';
  ring: FrameRingSpec;
}

/** Injected audio fed frame by frame through a shared ring (tests, embedding applications). */
export class RingSource implements FrameSource {
  readonly #ring: FrameRing;

  constructor(spec: RingSourceSpec) {
    this.#ring = new FrameRing(spec.ring);
  }

  readFrame(dst: Int16Array): boolean {
    return this.#ring.pop(dst);
  }

  close(): void {}
}
