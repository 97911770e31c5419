import { describe, expect, it } from 'vitest';
import { Flag, UNITY_GAIN_Q12 } from '../../src/mixing/flags.js';
import { FrameFormat } from '../../src/mixing/FrameFormat.js';
import { MixBuffers } from '../../src/mixing/MixBuffers.js';
import { MixKernel } from '../../src/mixing/MixKernel.js';

// Which input a listener hears alone and unaltered: the one whose packet may be forwarded.
describe('sole source', () => {
  const format = new FrameFormat(48000, 20);
  const setup = (talking: number[], n = 4) => {
    const kernel = new MixKernel(format);
    kernel.configure({ topK: 8, comfortNoise: 0 });
    const b = new MixBuffers(format.samples, n);
    for (let i = 0; i < n; i++) {
      b.inputSlots[i].fill(talking.includes(i) ? 3000 + i : 0);
      b.flags[i] = Flag.HasInput;
    }
    return { kernel, b, mix: (confInject = false) => (kernel.mix(b, n, confInject), Array.from(b.sole.subarray(0, n))) };
  };

  it('is the other talker for each of two talkers, and none for those who hear both', () => {
    expect(setup([0, 1]).mix()).toEqual([1, 0, -1, -1]);
  });

  it('is the lone talker for everyone else, and none for the talker itself', () => {
    expect(setup([2]).mix()).toEqual([2, 2, -1, 2]);
  });

  it('is none when the audio is altered: gains, injections, relations that add a coach', () => {
    const s = setup([2]);
    s.b.inGain[2] = UNITY_GAIN_Q12 / 2;
    expect(s.mix()).toEqual([-1, -1, -1, -1]);
    s.b.inGain[2] = UNITY_GAIN_Q12;
    s.b.outGain[0] = UNITY_GAIN_Q12 * 2;
    s.b.flags[1] |= Flag.Inject;
    expect(s.mix()).toEqual([-1, -1, -1, 2]);
    expect(s.mix(true)).toEqual([-1, -1, -1, -1]);
    const c = setup([0, 2]);
    c.b.coachOf[0] = 1; // 0 coaches 1: 1 hears 0 and 2, the others hear 2 only
    expect(c.mix()).toEqual([2, -1, -1, 2]);
  });

  it('is none for a deaf listener and skips a muted talker', () => {
    const s = setup([0, 1]);
    s.b.flags[3] |= Flag.Deaf;
    s.b.flags[1] |= Flag.Muted;
    expect(s.mix()).toEqual([-1, 0, 0, -1]);
  });
});
