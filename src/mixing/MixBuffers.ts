import type { KernelBuffers } from '../native/binding.js';
import { UNITY_GAIN_Q12, UNITY_GAIN_Q16 } from './flags.js';

/**
 * One conference's contiguous mixing memory: a slot per participant in every array, plus the
 * shared-mix slot at index `capacity` of `output`. Allocated on growth (a join), never per tick.
 * Participants occupy slots [0, count); a leave moves the last participant into the hole.
 */
export class MixBuffers implements KernelBuffers {
  readonly samples: number;
  capacity = 0;
  input: Int16Array = new Int16Array(0);
  output: Int16Array = new Int16Array(0);
  inject: Int16Array = new Int16Array(0);
  confInject: Int16Array;
  flags: Uint8Array = new Uint8Array(0);
  inGain: Int32Array = new Int32Array(0);
  outGain: Int32Array = new Int32Array(0);
  threshold: Int32Array = new Int32Array(0);
  coachOf: Int32Array = new Int32Array(0);
  exOffsets: Uint32Array = new Uint32Array(1);
  exList: Uint32Array = new Uint32Array(0);
  energy: Int32Array = new Int32Array(0);
  peak: Int32Array = new Int32Array(0);
  mixed: Uint8Array = new Uint8Array(0);
  mode: Uint8Array = new Uint8Array(0);
  limiterGain: Int32Array = new Int32Array(1).fill(UNITY_GAIN_Q16);
  /** Out: the slot whose input is all a listener hears, unaltered (its packet may be forwarded), or -1. */
  sole: Int32Array = new Int32Array(0);
  /** Per-slot views, rebuilt on growth so the tick never creates one. */
  inputSlots: Int16Array[] = [];
  outputSlots: Int16Array[] = [];
  injectSlots: Int16Array[] = [];
  shared: Int16Array = new Int16Array(0);
  /** Bumped whenever an array is replaced, so the kernel knows to re-bind. */
  generation = 0;

  constructor(samples: number, capacity = 4) {
    this.samples = samples;
    this.confInject = new Int16Array(samples);
    this.grow(capacity);
  }

  /** Grows to hold at least `capacity` participants, keeping every slot's state. */
  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    const old = this.capacity;
    const s = this.samples;
    const sharedGain = this.limiterGain[old];
    this.input = regrow(this.input, new Int16Array(capacity * s));
    this.output = new Int16Array((capacity + 1) * s);
    this.inject = regrow(this.inject, new Int16Array(capacity * s));
    this.flags = regrow(this.flags, new Uint8Array(capacity));
    this.inGain = regrow(this.inGain, new Int32Array(capacity).fill(UNITY_GAIN_Q12));
    this.outGain = regrow(this.outGain, new Int32Array(capacity).fill(UNITY_GAIN_Q12));
    this.threshold = regrow(this.threshold, new Int32Array(capacity));
    this.coachOf = regrow(this.coachOf, new Int32Array(capacity).fill(-1));
    this.exOffsets = regrow(this.exOffsets, new Uint32Array(capacity + 1).fill(this.exOffsets[old]));
    this.energy = regrow(this.energy, new Int32Array(capacity));
    this.peak = regrow(this.peak, new Int32Array(capacity));
    this.mixed = regrow(this.mixed, new Uint8Array(capacity));
    this.mode = regrow(this.mode, new Uint8Array(capacity));
    this.limiterGain = regrow(this.limiterGain.subarray(0, old), new Int32Array(capacity + 1).fill(UNITY_GAIN_Q16));
    this.limiterGain[capacity] = sharedGain;
    this.sole = new Int32Array(capacity).fill(-1);
    this.capacity = capacity;
    this.inputSlots = slots(this.input, capacity, s);
    this.outputSlots = slots(this.output, capacity, s);
    this.injectSlots = slots(this.inject, capacity, s);
    this.shared = this.output.subarray(capacity * s, (capacity + 1) * s);
    this.generation++;
  }

  /** Resets slot i to a newcomer's defaults. */
  resetSlot(i: number): void {
    this.flags[i] = 0;
    this.inGain[i] = UNITY_GAIN_Q12;
    this.outGain[i] = UNITY_GAIN_Q12;
    this.threshold[i] = 0;
    this.coachOf[i] = -1;
    this.energy[i] = 0;
    this.peak[i] = 0;
    this.mixed[i] = 0;
    this.mode[i] = 0;
    this.limiterGain[i] = UNITY_GAIN_Q16;
    this.sole[i] = -1;
  }

  /** Moves slot `from` into slot `to` (a leave compacting the slots). */
  moveSlot(from: number, to: number): void {
    if (from === to) return;
    const s = this.samples;
    this.flags[to] = this.flags[from];
    this.inGain[to] = this.inGain[from];
    this.outGain[to] = this.outGain[from];
    this.threshold[to] = this.threshold[from];
    this.coachOf[to] = this.coachOf[from];
    this.energy[to] = this.energy[from];
    this.peak[to] = this.peak[from];
    this.mixed[to] = this.mixed[from];
    this.mode[to] = this.mode[from];
    this.limiterGain[to] = this.limiterGain[from];
    this.inject.copyWithin(to * s, from * s, (from + 1) * s);
    this.output.copyWithin(to * s, from * s, (from + 1) * s);
  }

  /** Replaces the exclusion lists (CSR) for slots [0, count). */
  setExclusions(offsets: Uint32Array, list: Uint32Array): void {
    this.exOffsets.set(offsets.subarray(0, Math.min(offsets.length, this.capacity + 1)));
    this.exOffsets.fill(offsets[offsets.length - 1], offsets.length);
    this.exList = list;
    this.generation++;
  }
}

function regrow<T extends Int16Array | Int32Array | Uint8Array | Uint32Array>(old: T, fresh: T): T {
  fresh.set(old.subarray(0, Math.min(old.length, fresh.length)) as never);
  return fresh;
}

function slots(buf: Int16Array, count: number, s: number): Int16Array[] {
  const views: Int16Array[] = [];
  for (let i = 0; i < count; i++) views.push(buf.subarray(i * s, (i + 1) * s));
  return views;
}
