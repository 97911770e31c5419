import { describe, expect, it } from 'vitest';
import { ReplayWindow } from '../../src/srtp/ReplayWindow.js';

describe('ReplayWindow', () => {
  it('accepts anything before the first commit', () => {
    const w = new ReplayWindow();
    expect(w.check(0)).toBe('ok');
    expect(w.check(2 ** 48 - 1)).toBe('ok');
    expect(w.highest).toBe(-1);
  });

  it('reports a committed index as a replay, and keeps the highest', () => {
    const w = new ReplayWindow();
    w.commit(1000);
    expect(w.check(1000)).toBe('replay');
    expect(w.check(1001)).toBe('ok');
    expect(w.highest).toBe(1000);
  });

  it('accepts out-of-order indices inside the window once each', () => {
    const w = new ReplayWindow(128);
    w.commit(500);
    for (const i of [499, 450, 373, 498]) {
      expect(w.check(i)).toBe('ok');
      w.commit(i);
      expect(w.check(i)).toBe('replay');
    }
    expect(w.highest).toBe(500);
  });

  it('reports indices at or beyond the window width behind the highest as too old', () => {
    const w = new ReplayWindow(128);
    w.commit(1000);
    expect(w.check(1000 - 127)).toBe('ok');
    expect(w.check(1000 - 128)).toBe('too-old');
    expect(w.check(0)).toBe('too-old');
  });

  it('forgets bits of the positions it slides over', () => {
    const w = new ReplayWindow(64);
    w.commit(10);
    w.commit(10 + 64); // reuses bit position of 10: it must now read as too old, not as received
    expect(w.check(10)).toBe('too-old');
    for (let i = 11; i < 74; i++) expect(w.check(i)).toBe('ok');
    w.commit(74 + 30);
    for (let i = 75; i < 104; i++) expect(w.check(i)).toBe('ok');
    expect(w.check(74)).toBe('replay');
  });

  it('clears everything after a jump wider than the window', () => {
    const w = new ReplayWindow(64);
    for (let i = 0; i < 64; i++) w.commit(i);
    w.commit(1000);
    for (let i = 1000 - 63; i < 1000; i++) expect(w.check(i)).toBe('ok');
  });

  it('an unchecked, uncommitted index never moves the window', () => {
    const w = new ReplayWindow();
    w.commit(5);
    expect(w.check(9)).toBe('ok'); // checked but (say) failed authentication
    expect(w.highest).toBe(5);
    expect(w.check(9)).toBe('ok');
  });

  it('works with 48-bit indices', () => {
    const w = new ReplayWindow();
    const top = 2 ** 48 - 1;
    w.commit(top - 3);
    w.commit(top);
    expect(w.check(top - 3)).toBe('replay');
    expect(w.check(top - 2)).toBe('ok');
    expect(w.check(top - 200)).toBe('too-old');
  });

  it('rejects window sizes that are too small or not a multiple of 32', () => {
    expect(() => new ReplayWindow(32)).toThrow(RangeError);
    expect(() => new ReplayWindow(100)).toThrow(RangeError);
  });
});
