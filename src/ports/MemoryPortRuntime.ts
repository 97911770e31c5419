import type { OutputMode } from '../mixing/flags.js';
import { FrameRing } from './FrameRing.js';
import type { MemoryPortSpec } from './MemoryPort.js';
import type { PcmPort } from './PcmPort.js';

/** The conference's end of a MemoryPort: frames in from the caller, every tick's output back. */
export class MemoryPortRuntime implements PcmPort {
  readonly #input: FrameRing;
  readonly #output: FrameRing;

  constructor(spec: MemoryPortSpec) {
    this.#input = new FrameRing(spec.input);
    this.#output = new FrameRing(spec.output);
  }

  readFrame(dst: Int16Array): boolean {
    return this.#input.pop(dst);
  }

  writeFrame(frame: Int16Array, _mode: OutputMode, _frameIndex: number): void {
    this.#output.push(frame);
  }

  close(): void {}
}
