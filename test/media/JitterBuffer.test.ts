import { describe, expect, it } from 'vitest';
import { JitterBuffer, Playout } from '../../src/media/JitterBuffer.js';

const packet = (seq: number, length: number) => Uint8Array.from({ length }, (_, i) => (seq * 31 + i) & 0xff);

describe('JitterBuffer slots', () => {
  it('widens its slots for a larger packet and keeps the packets it already holds', () => {
    const jb = new JitterBuffer({ capacity: 8, maxPayload: 1500 });
    const sizes = [100, 60, 1200, 150, 1500];
    sizes.forEach((n, k) => expect(jb.push(k, k * 960, packet(k, n), 0, n, false, k === 2 ? 40 : -1)).toBe('ok'));
    expect(jb.push(5, 5 * 960, packet(5, 1501), 0, 1501, false)).toBe('too-large');
    for (let k = 0; k < sizes.length; k++) {
      expect(jb.peek()).toBe(Playout.Packet);
      jb.take();
      expect(Array.from(jb.payload)).toEqual(Array.from(packet(k, sizes[k])));
      expect(jb.level).toBe(k === 2 ? 40 : -1);
    }
    expect(jb.peek()).toBe(Playout.Empty);
  });
});
