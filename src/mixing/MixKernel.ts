import { InvalidArgumentError } from '../errors.js';
import { native, type NativeMixKernel } from '../native/binding.js';
import { DEFAULT_LIMITER_RELEASE_Q16, DEFAULT_LIMITER_THRESHOLD, MAX_TOP_K } from './flags.js';
import type { FrameFormat } from './FrameFormat.js';
import type { MixBuffers } from './MixBuffers.js';

export interface KernelSettings {
  /** Most contributors mixed per tick, the loudest (1..64). */
  topK: number;
  /** Amplitude of the comfort noise deaf listeners hear, and every listener while nobody is heard; 0 for silence. */
  comfortNoise: number;
}

/** What the conference needs of a mix kernel; the native one and the test reference both fit. */
export interface Kernel {
  configure(settings: KernelSettings): void;
  seed(seed: number): void;
  /** Mixes slots [0, count) of the buffers. Returns the number of contributors. */
  mix(buffers: MixBuffers, count: number, confInject: boolean): number;
}

export function validateKernelSettings(s: KernelSettings): void {
  if (!Number.isInteger(s.topK) || s.topK < 1 || s.topK > MAX_TOP_K) {
    throw new InvalidArgumentError('topK', `must be an integer from 1 to ${MAX_TOP_K}`);
  }
  if (!Number.isInteger(s.comfortNoise) || s.comfortNoise < 0 || s.comfortNoise > 4096) {
    throw new InvalidArgumentError('comfortNoise', 'must be an integer from 0 to 4096');
  }
}

/** The native kernel behind validated arguments. One instance per conference. */
export class MixKernel implements Kernel {
  #native: NativeMixKernel;
  #bound: MixBuffers | undefined;
  #generation = -1;

  constructor(format: FrameFormat) {
    this.#native = new native.MixKernel(format.samples, format.subLen, MAX_TOP_K);
    this.#native.limiter(DEFAULT_LIMITER_THRESHOLD, DEFAULT_LIMITER_RELEASE_Q16);
  }

  configure(settings: KernelSettings): void {
    validateKernelSettings(settings);
    this.#native.settings(settings.topK, settings.comfortNoise);
  }

  seed(seed: number): void {
    this.#native.seed(seed >>> 0);
  }

  mix(buffers: MixBuffers, count: number, confInject: boolean): number {
    if (this.#bound !== buffers || this.#generation !== buffers.generation) {
      this.#native.bind(buffers);
      this.#bound = buffers;
      this.#generation = buffers.generation;
    }
    return this.#native.mix(count, confInject);
  }
}
