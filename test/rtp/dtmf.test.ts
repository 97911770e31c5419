import { describe, expect, it } from 'vitest';
import { DtmfReceiver, dtmfDigit, parseTelephoneEvent, type TelephoneEvent } from '../../src/rtp/dtmf.js';
import { expectInvalidArgument } from '../helpers/errors.js';

/** One RFC 4733 payload at offset 2 of a larger buffer, as it sits inside an RTP packet. */
function payload(event: number, end: boolean, duration: number, volume = 10): Uint8Array {
  return Uint8Array.of(0xaa, 0xbb, event, (end ? 0x80 : 0) | volume, duration >> 8, duration & 0xff, 0xcc);
}

describe('parseTelephoneEvent (RFC 4733 §2.3)', () => {
  it('reads event, end bit, volume and duration', () => {
    // Digit 5, E=1, R=0, volume 10, duration 1760 (220 ms at 8 kHz).
    const buf = Uint8Array.of(0x05, 0x8a, 0x06, 0xe0);
    expect(parseTelephoneEvent(buf, 0, 4)).toEqual({ event: 5, end: true, volume: 10, duration: 1760 });
    // The reserved bit is ignored.
    expect(parseTelephoneEvent(Uint8Array.of(11, 0x7f, 0xff, 0xff), 0, 4)).toEqual({ event: 11, end: false, volume: 63, duration: 65535 });
  });

  it('fills the given object instead of allocating one', () => {
    const out: TelephoneEvent = { event: 0, end: false, volume: 0, duration: 0 };
    expect(parseTelephoneEvent(payload(3, false, 320), 2, 4, out)).toBe(out);
    expect(out).toEqual({ event: 3, end: false, volume: 10, duration: 320 });
  });

  it('returns null for a short payload or one past the buffer', () => {
    const buf = payload(1, true, 100);
    expect(parseTelephoneEvent(buf, 2, 3)).toBeNull();
    expect(parseTelephoneEvent(buf, 4, 4)).toBeNull();
    expect(parseTelephoneEvent(buf, -1, 4)).toBeNull();
    expect(parseTelephoneEvent(new Uint8Array(0), 0, 4)).toBeNull();
  });
});

describe('dtmfDigit', () => {
  it('names events 0..15', () => {
    expect(Array.from({ length: 16 }, (_, e) => dtmfDigit(e)).join('')).toBe('0123456789*#ABCD');
  });
  it('rejects other codes', () => {
    expectInvalidArgument(() => dtmfDigit(16), 'event');
    expectInvalidArgument(() => dtmfDigit(-1), 'event');
    expectInvalidArgument(() => dtmfDigit(1.5), 'event');
  });
});

describe('DtmfReceiver', () => {
  const feed = (r: DtmfReceiver, ts: number, event: number, end: boolean, duration: number, rate = 8000) =>
    r.feed(ts, payload(event, end, duration), 2, 4, rate);

  it('emits a key press once, on its first end packet; the retransmitted ends are ignored', () => {
    const r = new DtmfReceiver();
    const out = [
      feed(r, 1000, 5, false, 160),
      feed(r, 1000, 5, false, 320),
      feed(r, 1000, 5, false, 480),
      feed(r, 1000, 5, true, 640),
      feed(r, 1000, 5, true, 640),
      feed(r, 1000, 5, true, 640),
    ];
    expect(out.filter((d) => d !== null)).toEqual([{ digit: '5', durationMs: 80 }]);
    expect(out[3]).toEqual({ digit: '5', durationMs: 80 });
    expect(r.flush()).toBeNull();
  });

  it('starts a new event on a new timestamp, even for the same key', () => {
    const r = new DtmfReceiver();
    const out = [
      feed(r, 0, 1, false, 160), feed(r, 0, 1, true, 320), feed(r, 0, 1, true, 320),
      feed(r, 2000, 1, false, 160), feed(r, 2000, 1, true, 800), feed(r, 2000, 1, true, 800),
      feed(r, 4000, 11, true, 400),
    ].filter((d) => d !== null);
    expect(out).toEqual([{ digit: '1', durationMs: 40 }, { digit: '1', durationMs: 100 }, { digit: '#', durationMs: 50 }]);
  });

  it('emits an event whose end packets were all lost when the next event starts', () => {
    const r = new DtmfReceiver();
    expect(feed(r, 0, 7, false, 160)).toBeNull();
    expect(feed(r, 0, 7, false, 480)).toBeNull();
    expect(feed(r, 3000, 8, false, 160)).toEqual({ digit: '7', durationMs: 60 });
    expect(feed(r, 3000, 8, true, 320)).toEqual({ digit: '8', durationMs: 40 });
  });

  it('emits such an event from flush(), once, and ignores its late packets afterwards', () => {
    const r = new DtmfReceiver();
    feed(r, 500, 12, false, 160, 16000);
    expect(r.flush()).toEqual({ digit: 'A', durationMs: 10 });
    expect(r.flush()).toBeNull();
    expect(feed(r, 500, 12, true, 320, 16000)).toBeNull();
  });

  it('queues the second digit when one packet both ends a lost event and completes a new one', () => {
    const r = new DtmfReceiver();
    feed(r, 0, 2, false, 160);
    expect(feed(r, 1600, 3, true, 320)).toEqual({ digit: '2', durationMs: 20 });
    expect(feed(r, 1600, 3, true, 320)).toEqual({ digit: '3', durationMs: 40 }); // the retransmission carries it out
    expect(r.flush()).toBeNull();

    feed(r, 5000, 4, false, 160);
    expect(feed(r, 8000, 6, true, 160)).toEqual({ digit: '4', durationMs: 20 });
    expect(r.flush()).toEqual({ digit: '6', durationMs: 20 });
  });

  it('ignores late packets of an earlier event', () => {
    const r = new DtmfReceiver();
    expect(feed(r, 0, 1, true, 320)).not.toBeNull();
    expect(feed(r, 1000, 2, false, 160)).toBeNull();
    expect(feed(r, 0, 1, true, 320)).toBeNull();
    expect(feed(r, 0, 1, false, 160)).toBeNull();
    expect(feed(r, 1000, 2, true, 320)).toEqual({ digit: '2', durationMs: 40 });
  });

  it('ignores events above 15, which still end a pending digit', () => {
    const r = new DtmfReceiver();
    expect(feed(r, 0, 16, false, 160)).toBeNull(); // flash
    expect(feed(r, 0, 16, true, 800)).toBeNull();
    feed(r, 1000, 9, false, 160);
    expect(feed(r, 2000, 32, true, 160)).toEqual({ digit: '9', durationMs: 20 }); // a modem tone
    expect(feed(r, 2000, 32, true, 160)).toBeNull();
    expect(r.flush()).toBeNull();
  });

  it('joins the segments of an event longer than 0xFFFF units (RFC 4733 §2.5.1.3)', () => {
    const r = new DtmfReceiver();
    const ts = 0xffff0000; // also crosses the timestamp wrap
    for (let d = 960; d < 0xffff; d += 960) expect(feed(r, ts, 0, false, d, 48000)).toBeNull();
    expect(feed(r, ts, 0, false, 0xffff, 48000)).toBeNull();
    expect(feed(r, (ts + 0xffff) >>> 0, 0, false, 960, 48000)).toBeNull();
    expect(feed(r, (ts + 0xffff) >>> 0, 0, true, 9600, 48000)).toEqual({ digit: '0', durationMs: (0xffff + 9600) / 48 });
  });

  it('does not join two presses that merely follow each other', () => {
    const r = new DtmfReceiver();
    feed(r, 0, 3, false, 800);
    expect(feed(r, 1600, 3, true, 800)).toEqual({ digit: '3', durationMs: 100 });
    expect(r.flush()).toEqual({ digit: '3', durationMs: 100 });
  });

  it('ignores payloads too short to hold an event', () => {
    const r = new DtmfReceiver();
    expect(r.feed(0, Uint8Array.of(1, 0x80), 0, 2, 8000)).toBeNull();
    expect(r.flush()).toBeNull();
  });

  it('reset() forgets a pending event', () => {
    const r = new DtmfReceiver();
    feed(r, 100, 4, false, 160);
    r.reset();
    expect(r.flush()).toBeNull();
    expect(feed(r, 0, 4, true, 160)).toEqual({ digit: '4', durationMs: 20 }); // an older timestamp is fine after reset
  });

  it('treats a timestamp far behind the current event as a new event (the sender restarted)', () => {
    const r = new DtmfReceiver();
    feed(r, 1_000_000, 1, true, 160);
    expect(feed(r, 1000, 2, true, 160)).toEqual({ digit: '2', durationMs: 20 });
  });

  it('rejects a bad clock rate', () => {
    expectInvalidArgument(() => new DtmfReceiver().feed(0, payload(1, true, 1), 2, 4, 0), 'clockRate');
  });
});
