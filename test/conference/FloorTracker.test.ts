import { describe, expect, it } from 'vitest';
import { FloorTracker } from '../../src/conference/FloorTracker.js';

/** Slots 0..2 are participants 10, 20, 30. */
function decide(f: FloorTracker, talking: boolean[], scores: number[]) {
  const holderSlot = f.holder === -1 ? -1 : f.holder / 10 - 1;
  return f.decide(3, holderSlot >= 0 && talking[holderSlot], (i) => talking[i], (i) => scores[i], (i) => (i + 1) * 10);
}

describe('FloorTracker', () => {
  it('gives the floor to the loudest talker and keeps it there while the holder talks', () => {
    const f = new FloorTracker();
    expect(decide(f, [true, true, false], [100, 300, 0])).toBe(20);
    expect(decide(f, [true, true, false], [900, 300, 0])).toBeUndefined(); // louder, but 20 still talks
    expect(f.holder).toBe(20);
    expect(decide(f, [true, false, false], [900, 300, 0])).toBe(10); // 20 quieted
  });

  it('keeps the floor with a silent holder until someone else talks, and frees it when the holder leaves', () => {
    const f = new FloorTracker();
    decide(f, [false, false, true], [0, 0, 50]);
    expect(decide(f, [false, false, false], [0, 0, 0])).toBeUndefined();
    expect(f.holder).toBe(30);
    expect(f.release(30)).toBe(true);
    expect(f.holder).toBe(-1);
    expect(f.release(30)).toBe(false);
  });

  it('smooths the score so a single loud frame moves it only part of the way', () => {
    expect(FloorTracker.score(0, 1000)).toBeCloseTo(200);
    expect(FloorTracker.score(200, 1000)).toBeCloseTo(360);
  });
});
