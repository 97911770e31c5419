import { describe, expect, it } from 'vitest';
import { goertzelDb, tone } from './audio.js';

describe('goertzelDb (the measuring stick of the media tests)', () => {
  it('reads a tone at its level and a neighbour tone as absent', () => {
    const t = tone(440, 16000, 0.4173, 8000); // deliberately not a whole number of cycles
    expect(goertzelDb(t, 440, 16000)).toBeCloseTo(20 * Math.log10(8000 / 32768), 0);
    expect(goertzelDb(t, 660, 16000)).toBeLessThan(-90);
  });
});
