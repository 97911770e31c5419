// One incoming stream's RFC 3550 reception statistics: the sequence validation of Appendix A.1,
// the loss accounting of A.3 and the jitter estimate of A.8, plus what a receiver report needs
// about the sender's last SR. update() runs per packet and touches only number fields.

import { InvalidArgumentError } from '../errors.js';
import { compactNtpFromUnixMs, type ReportBlock } from './rtcp.js';

const RTP_SEQ_MOD = 0x10000;
/** Packets in sequence before a new source (or a restarted one) is believed. */
export const MIN_SEQUENTIAL = 2;
/** A forward jump up to this many is loss; beyond, it may be a restart. */
export const MAX_DROPOUT = 3000;
/** A packet up to this many behind the highest is late, not a restart. */
export const MAX_MISORDER = 100;

/**
 * 'ok': in order (possibly after a gap). 'duplicate-or-old': at most MAX_MISORDER behind the
 * highest; counted as received (as A.1 does), left to the jitter buffer to keep or drop.
 * 'probation': the source is not yet validated; drop. 'jump': a large jump, dropped unless the
 * next packet follows it, in which case that packet returns 'restart' and the statistics start
 * over from it: the caller should reset what it keeps per stream (jitter buffer, decoder).
 */
export type SequenceResult = 'ok' | 'duplicate-or-old' | 'probation' | 'jump' | 'restart';

export class ReceptionStats {
  readonly clockRate: number;
  #started = false;
  #probation = MIN_SEQUENTIAL;
  #maxSeq = 0;
  #cycles = 0;
  #baseSeq = 0;
  #badSeq = RTP_SEQ_MOD + 1;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #haveTransit = false;
  #transit = 0;
  #jitter = 0;
  #lastSr = 0;
  #lastSrAtMs = 0;

  constructor(clockRate: number) {
    if (!Number.isInteger(clockRate) || clockRate <= 0) {
      throw new InvalidArgumentError('clockRate', 'must be a positive integer');
    }
    this.clockRate = clockRate;
  }

  /**
   * Accounts one packet: its sequence number, RTP timestamp and arrival time in ms on any
   * monotonic clock (only differences matter for jitter). Does not allocate.
   */
  update(seq: number, rtpTimestamp: number, arrivalMs: number): SequenceResult {
    seq &= 0xffff;
    if (!this.#started) {
      this.#started = true;
      this.#initSeq(seq);
      this.#maxSeq = (seq - 1) & 0xffff;
      this.#probation = MIN_SEQUENTIAL;
    }
    const udelta = (seq - this.#maxSeq) & 0xffff;
    let result: SequenceResult = 'ok';
    if (this.#probation > 0) {
      if (seq === ((this.#maxSeq + 1) & 0xffff)) {
        this.#probation--;
        this.#maxSeq = seq;
        if (this.#probation === 0) {
          this.#initSeq(seq);
          this.#received++;
          this.#updateJitter(rtpTimestamp, arrivalMs);
          return 'ok';
        }
      } else {
        this.#probation = MIN_SEQUENTIAL - 1;
        this.#maxSeq = seq;
      }
      return 'probation';
    } else if (udelta === 0) {
      // A.1 lets a repeat of the highest packet through its in-order branch; name it for what it is.
      result = 'duplicate-or-old';
    } else if (udelta < MAX_DROPOUT) {
      if (seq < this.#maxSeq) this.#cycles += RTP_SEQ_MOD;
      this.#maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      if (seq !== this.#badSeq) {
        this.#badSeq = (seq + 1) & 0xffff;
        return 'jump';
      }
      // Two sequential packets after the jump: the sender restarted (A.1 assumes so).
      this.#initSeq(seq);
      this.#haveTransit = false;
      result = 'restart';
    } else {
      result = 'duplicate-or-old';
    }
    this.#received++;
    // Late and repeated packets carry old timestamps with new arrival times; counting them
    // would report the reordering as jitter (libwebrtc skips them too).
    if (result !== 'duplicate-or-old') this.#updateJitter(rtpTimestamp, arrivalMs);
    return result;
  }

  #initSeq(seq: number): void {
    this.#baseSeq = seq;
    this.#maxSeq = seq;
    this.#badSeq = RTP_SEQ_MOD + 1;
    this.#cycles = 0;
    this.#received = 0;
    this.#receivedPrior = 0;
    this.#expectedPrior = 0;
  }

  #updateJitter(rtpTimestamp: number, arrivalMs: number): void {
    // Both in timestamp units and compared modulo 2^32, so the RTP timestamp may wrap.
    const arrival = Math.floor((arrivalMs * this.clockRate) / 1000);
    const transit = (arrival - rtpTimestamp) | 0;
    if (this.#haveTransit) {
      const d = Math.abs((transit - this.#transit) | 0);
      // A difference over a second is a timestamp jump (a sender restart), not network jitter.
      if (d <= this.clockRate) this.#jitter += (d - this.#jitter) / 16;
    }
    this.#transit = transit;
    this.#haveTransit = true;
  }

  /** Forgets everything: the next packet starts probation as a new source. */
  reset(): void {
    this.#started = false;
    this.#initSeq(0);
    this.#haveTransit = false;
    this.#jitter = 0;
    this.#lastSr = 0;
    this.#lastSrAtMs = 0;
  }

  /** True once MIN_SEQUENTIAL packets in a row validated the source. */
  get validated(): boolean {
    return this.#started && this.#probation === 0;
  }

  /** Packets counted as received (duplicates included, as in RFC 3550). */
  get packets(): number {
    return this.#received;
  }

  /** Extended highest sequence number: cycles * 65536 + highest seq (not wrapped to 32 bits). */
  get extendedHighestSeq(): number {
    return this.#cycles + this.#maxSeq;
  }

  get expected(): number {
    return this.validated ? this.extendedHighestSeq - this.#baseSeq + 1 : 0;
  }

  /** Cumulative loss; negative when duplicates outnumber losses. */
  get lost(): number {
    return this.expected - this.#received;
  }

  /** Interarrival jitter in timestamp units. */
  get jitter(): number {
    return this.#jitter;
  }

  get jitterMs(): number {
    return (this.#jitter * 1000) / this.clockRate;
  }

  /** Records an SR from this source: `ntpMiddle32` is middle32 of its NTP time. */
  onSenderReport(ntpMiddle32: number, nowMs: number): void {
    this.#lastSr = ntpMiddle32 >>> 0;
    this.#lastSrAtMs = nowMs;
  }

  /**
   * The report block about this source for our next RR/SR, with the fraction lost since the
   * previous call (A.3): call it once per report sent. `nowMs` is on the clock given to
   * onSenderReport. Null before the source is validated: there is nothing to report yet.
   */
  buildReportBlock(ssrc: number, nowMs: number): ReportBlock | null {
    if (!this.validated) return null;
    const expected = this.expected;
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    const lost = this.lost;
    let dlsr = 0;
    if (this.#lastSr !== 0) dlsr = Math.max(0, Math.round(((nowMs - this.#lastSrAtMs) * 65536) / 1000)) >>> 0;
    return {
      ssrc: ssrc >>> 0,
      fractionLost,
      cumulativeLost: lost > 0x7fffff ? 0x7fffff : lost < -0x800000 ? -0x800000 : lost,
      highestSeq: this.extendedHighestSeq >>> 0,
      jitter: Math.floor(this.#jitter) >>> 0,
      lsr: this.#lastSr,
      dlsr,
    };
  }
}

/**
 * Round-trip time in ms from a report block about OUR stream (RFC 3550 §6.4.1): A - LSR - DLSR,
 * with A the block's arrival time. `arrivalUnixMs` must be on the clock our SR NTP timestamps
 * came from (ntpFromUnixMs). -1 when the peer has not received an SR from us yet (LSR 0).
 */
export function roundTripMs(block: Pick<ReportBlock, 'lsr' | 'dlsr'>, arrivalUnixMs: number): number {
  if (block.lsr === 0) return -1;
  const a = compactNtpFromUnixMs(arrivalUnixMs);
  const rtt = (a - block.lsr - block.dlsr) | 0;
  // The compact format truncates to 1/65536 s, so a loopback RTT can come out a unit below 0.
  return rtt < 0 ? 0 : (rtt * 1000) / 65536;
}
