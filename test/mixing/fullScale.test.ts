import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITER_THRESHOLD, Flag, OutputMode } from '../../src/mixing/flags.js';
import { FrameFormat } from '../../src/mixing/FrameFormat.js';
import { MixBuffers } from '../../src/mixing/MixBuffers.js';
import { MixKernel } from '../../src/mixing/MixKernel.js';

describe('limiter under eight full-scale talkers', () => {
  it('never wraps around and keeps every output under the ceiling', () => {
    const format = new FrameFormat(48000, 20);
    const kernel = new MixKernel(format);
    kernel.configure({ topK: 8, comfortNoise: 0 });
    const n = 10;
    const b = new MixBuffers(format.samples, n);
    let worst = 0;
    let flipped = 0;
    for (let tick = 0; tick < 50; tick++) {
      for (let i = 0; i < n; i++) {
        const slot = b.inputSlots[i];
        for (let s = 0; s < slot.length; s++) {
          // In-phase full-scale square waves: the worst case for the sum.
          slot[s] = ((s + tick * slot.length) >> 5) % 2 ? 32767 : -32768;
        }
        b.flags[i] = i < 8 ? Flag.HasInput : 0;
      }
      kernel.mix(b, n, false);
      const outputs = [b.shared, ...b.outputSlots.slice(0, n)];
      for (const [o, out] of outputs.entries()) {
        if (o > 0) expect(b.mode[o - 1]).not.toBe(OutputMode.Silent);
        const slot = o > 0 && b.mode[o - 1] === OutputMode.Shared ? b.shared : out;
        for (let s = 0; s < slot.length; s++) {
          const expectedSign = ((s + tick * slot.length) >> 5) % 2 ? 1 : -1;
          // A wrapped sum would flip sign; a limited one keeps the talkers' sign.
          if (slot[s] !== 0 && Math.sign(slot[s]) !== expectedSign) flipped++;
          worst = Math.max(worst, Math.abs(slot[s]));
        }
      }
    }
    expect(flipped).toBe(0);
    expect(worst).toBeLessThanOrEqual(DEFAULT_LIMITER_THRESHOLD);
    expect(worst).toBeGreaterThan(DEFAULT_LIMITER_THRESHOLD * 0.9);
  });
});
