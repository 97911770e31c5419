// RFC 4733 telephone-event payloads and the receiver logic that turns their redundant packets
// (several updates per event, the end packet sent three times) into one digit per key press.

import { InvalidArgumentError } from '../errors.js';

export interface TelephoneEvent {
  /** 0..9, 10 = *, 11 = #, 12..15 = A..D; higher codes are other tones and signals. */
  event: number;
  end: boolean;
  /** Power of the tone, 0..63 meaning -dBm0. */
  volume: number;
  /** Timestamp units since the event (segment) began. */
  duration: number;
}

/**
 * Reads the 4-byte event at buf[offset, offset + len). Returns `out` (a new object when none is
 * given) or null when the payload is too short.
 */
export function parseTelephoneEvent(buf: Uint8Array, offset: number, len: number, out?: TelephoneEvent): TelephoneEvent | null {
  const at = offset | 0;
  if (at < 0 || (len | 0) < 4 || at + 4 > buf.length) return null;
  const target = out ?? { event: 0, end: false, volume: 0, duration: 0 };
  target.event = buf[at];
  target.end = (buf[at + 1] & 0x80) !== 0;
  target.volume = buf[at + 1] & 0x3f;
  target.duration = (buf[at + 2] << 8) | buf[at + 3];
  return target;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'] as const;

/** The key of a DTMF event code 0..15. */
export function dtmfDigit(event: number): string {
  if (!Number.isInteger(event) || event < 0 || event > 15) {
    throw new InvalidArgumentError('event', 'must be a DTMF event code 0..15');
  }
  return DIGITS[event];
}

export interface DtmfDigit {
  digit: string;
  durationMs: number;
}

/** Largest duration one segment can carry; longer events continue in a new segment. */
const MAX_SEGMENT = 0xffff;
/** How far behind the current event a timestamp still counts as a late packet of an older one. */
const LATE_WINDOW_SEC = 5;

/**
 * One stream's DTMF receiver. An event is identified by its RTP timestamp. It is emitted once,
 * on its first end-bit packet; the retransmitted end packets with the same timestamp are
 * ignored, as are packets of older events arriving late. When every end packet of an event is
 * lost, the event is emitted (with the longest duration seen) by the first packet of the next
 * event, or by flush(): call flush() when telephone-event packets stop arriving for a while
 * (e.g. 200 ms) so a lost end does not hold the digit back. Should one packet complete two
 * events, the second comes out of the next feed() or flush(). Codes above 15 are not DTMF: they
 * end the previous event but are never emitted.
 */
export class DtmfReceiver {
  readonly #scratch: TelephoneEvent = { event: 0, end: false, volume: 0, duration: 0 };
  #active = false;
  #timestamp = 0;
  #event = 0;
  /** Longest duration seen in the current segment, and the sum of the segments before it. */
  #duration = 0;
  #earlierSegments = 0;
  /** Emitted, or not DTMF: nothing more to report for the current timestamp. */
  #done = true;
  #clockRate = 8000;
  #queued: DtmfDigit | null = null;

  /** Feeds one telephone-event payload; returns a finished digit, or null. */
  feed(rtpTimestamp: number, buf: Uint8Array, offset: number, len: number, clockRate: number): DtmfDigit | null {
    if (!Number.isInteger(clockRate) || clockRate <= 0) {
      throw new InvalidArgumentError('clockRate', 'must be a positive integer');
    }
    let first = this.#queued;
    this.#queued = null;
    const e = parseTelephoneEvent(buf, offset, len, this.#scratch);
    if (!e) return first;
    const ts = rtpTimestamp >>> 0;

    if (!this.#active || ts !== this.#timestamp) {
      const ahead = (ts - this.#timestamp) | 0;
      if (this.#active && ahead < 0 && ahead > -LATE_WINDOW_SEC * clockRate) return first;
      if (this.#active && !this.#done && e.event === this.#event && ahead === MAX_SEGMENT) {
        // RFC 4733 §2.5.1.3: a held key outlasting 0xFFFF units goes on in a new segment whose
        // timestamp is the old one plus 0xFFFF, with no end bit on the old segment.
        this.#earlierSegments += MAX_SEGMENT;
        this.#duration = 0;
      } else {
        const unfinished = this.#finish();
        if (unfinished) first ??= unfinished;
        this.#event = e.event;
        this.#duration = 0;
        this.#earlierSegments = 0;
        this.#done = e.event > 15;
        this.#clockRate = clockRate;
      }
      this.#active = true;
      this.#timestamp = ts;
    }

    if (this.#done) return first;
    if (e.duration > this.#duration) this.#duration = e.duration;
    if (!e.end) return first;
    const digit = this.#finish();
    if (first) {
      this.#queued = digit;
      return first;
    }
    return digit;
  }

  /** Emits an event still waiting for its end packet (or one left queued); null if none. */
  flush(): DtmfDigit | null {
    const queued = this.#queued;
    this.#queued = null;
    return queued ?? this.#finish();
  }

  /** Forgets all state, e.g. when the stream restarts with a new timestamp base. */
  reset(): void {
    this.#active = false;
    this.#done = true;
    this.#queued = null;
  }

  #finish(): DtmfDigit | null {
    if (this.#done) return null;
    this.#done = true;
    return {
      digit: DIGITS[this.#event],
      durationMs: ((this.#earlierSegments + this.#duration) * 1000) / this.#clockRate,
    };
  }
}
