import { describe, expect, it } from 'vitest';
import { ReceptionStats, roundTripMs, type SequenceResult } from '../../src/rtp/ReceptionStats.js';
import { NTP_UNIX_OFFSET_SEC } from '../../src/rtp/rtcp.js';
import { expectInvalidArgument } from '../helpers/errors.js';

/** Feeds sequence numbers 20 ms apart with matching timestamps (8 kHz); returns the results. */
function feed(stats: ReceptionStats, seqs: number[], startMs = 0): SequenceResult[] {
  return seqs.map((seq, i) => stats.update(seq, (seq * 160) >>> 0, startMs + i * 20));
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => (from + i) & 0xffff);

describe('ReceptionStats: sequence validation (RFC 3550 A.1)', () => {
  it('holds a new source in probation until two packets arrive in sequence', () => {
    const s = new ReceptionStats(8000);
    expect(s.validated).toBe(false);
    expect(s.buildReportBlock(1, 0)).toBeNull();
    expect(feed(s, [10, 11, 12])).toEqual(['probation', 'ok', 'ok']);
    expect(s.validated).toBe(true);
    expect([s.packets, s.expected, s.lost]).toEqual([2, 2, 0]);
  });

  it('starts probation over when the first packets are not in sequence', () => {
    const s = new ReceptionStats(8000);
    expect(feed(s, [10, 20, 21, 22])).toEqual(['probation', 'probation', 'ok', 'ok']);
    expect([s.packets, s.expected]).toEqual([2, 2]);
  });

  it('extends the sequence number across the wrap 65535 -> 0', () => {
    const s = new ReceptionStats(8000);
    const results = feed(s, range(65530, 20));
    expect(results.every((r, i) => r === (i === 0 ? 'probation' : 'ok'))).toBe(true);
    expect(s.extendedHighestSeq).toBe(65536 + 13);
    expect([s.packets, s.expected, s.lost]).toEqual([19, 19, 0]);
    expect(s.buildReportBlock(7, 0)!.highestSeq).toBe(0x1000d);
  });

  it('counts cycles over many wraps', () => {
    const s = new ReceptionStats(8000);
    for (let i = 0; i < 200_001; i++) s.update(i & 0xffff, i * 160, i * 20);
    expect(s.extendedHighestSeq).toBe(200_000);
    expect([s.packets, s.lost]).toEqual([200_000, 0]);
  });

  it('reports packets behind the highest as duplicate-or-old and still counts them, as A.1 does', () => {
    const s = new ReceptionStats(8000);
    expect(feed(s, [1, 2, 3, 5, 4, 5, 4, 6])).toEqual(['probation', 'ok', 'ok', 'ok', 'duplicate-or-old', 'duplicate-or-old', 'duplicate-or-old', 'ok']);
    // 2..6 expected (5), 7 counted: duplicates make the loss negative (RFC 3550 §6.4.1).
    expect([s.expected, s.packets, s.lost]).toEqual([5, 7, -2]);
  });

  it('counts a forward gap below MAX_DROPOUT as loss', () => {
    const s = new ReceptionStats(8000);
    feed(s, [100, 101, 102]);
    expect(s.update(3100, 0, 100)).toBe('ok');
    expect(s.lost).toBe(2997);
  });

  it('drops a single large jump and keeps the stream', () => {
    const s = new ReceptionStats(8000);
    feed(s, [100, 101, 102]);
    expect(s.update(40000, 0, 60)).toBe('jump');
    expect(s.update(103, 103 * 160, 80)).toBe('ok');
    expect(s.update(102 - 200, 0, 100)).toBe('jump'); // far older than MAX_MISORDER
    expect([s.packets, s.lost, s.extendedHighestSeq]).toEqual([3, 0, 103]);
  });

  it('accepts a large jump confirmed by the next packet as a restart', () => {
    const s = new ReceptionStats(8000);
    feed(s, range(65500, 50));
    expect(s.extendedHighestSeq).toBe(65536 + 13);
    expect(feed(s, [30000, 30001, 30002], 2000)).toEqual(['jump', 'restart', 'ok']);
    expect([s.packets, s.expected, s.lost, s.extendedHighestSeq]).toEqual([2, 2, 0, 30002]);
  });

  it('reset() makes the next packet a new source in probation', () => {
    const s = new ReceptionStats(8000);
    feed(s, [1, 2, 3]);
    s.reset();
    expect([s.validated, s.packets, s.expected]).toEqual([false, 0, 0]);
    expect(feed(s, [500, 501])).toEqual(['probation', 'ok']);
  });

  it('rejects a bad clock rate', () => {
    expectInvalidArgument(() => new ReceptionStats(0), 'clockRate');
    expectInvalidArgument(() => new ReceptionStats(8000.5), 'clockRate');
  });
});

describe('ReceptionStats: loss per report interval (RFC 3550 A.3)', () => {
  it('computes the fraction lost since the previous report block', () => {
    const s = new ReceptionStats(8000);
    feed(s, range(0, 21)); // 1..20 counted
    const first = s.buildReportBlock(9, 0)!;
    expect([first.fractionLost, first.cumulativeLost]).toEqual([0, 0]);

    // 20 expected (21..40), 5 of them lost: 5/20 = 64/256.
    const seqs = range(21, 20).filter((q) => q % 4 !== 1);
    expect(seqs).toHaveLength(15);
    feed(s, seqs, 1000);
    const second = s.buildReportBlock(9, 1000)!;
    expect([second.fractionLost, second.cumulativeLost, second.highestSeq]).toEqual([64, 5, 40]);

    feed(s, range(41, 10), 2000); // an interval without loss
    const third = s.buildReportBlock(9, 2000)!;
    expect([third.fractionLost, third.cumulativeLost]).toEqual([0, 5]);

    feed(s, [51, 52, 51, 52, 53], 3000); // duplicates: negative interval loss reports 0
    expect(s.buildReportBlock(9, 3000)!.fractionLost).toBe(0);
    // An interval with no packet at all.
    expect(s.buildReportBlock(9, 4000)!.fractionLost).toBe(0);
  });

  it('rounds the fraction down, as the integer formula of A.3 does', () => {
    const s = new ReceptionStats(8000);
    feed(s, [0, 1]);
    s.buildReportBlock(1, 0);
    feed(s, [2, 4], 100); // 3 expected, 1 lost: floor(256 / 3)
    expect(s.buildReportBlock(1, 100)!.fractionLost).toBe(85);
  });
});

describe('ReceptionStats: interarrival jitter (RFC 3550 A.8)', () => {
  it('follows J += (|D| - J) / 16 on a synthetic arrival pattern', () => {
    const rate = 8000;
    const s = new ReceptionStats(rate);
    const offsetsMs = [0, 0, 5, -3, 12, 0, 0, 7, 1, -2, 30, 0, 0, 0, 4];
    let expected = 0;
    let prevTransit: number | null = null;
    offsetsMs.forEach((off, i) => {
      const ts = 1000 + i * 160;
      const arrivalMs = 50_000 + i * 20 + off;
      s.update(i, ts, arrivalMs);
      if (i === 0) return; // the probation packet does not count
      const transit = (arrivalMs * rate) / 1000 - ts;
      if (prevTransit !== null) expected += (Math.abs(transit - prevTransit) - expected) / 16;
      prevTransit = transit;
    });
    expect(s.jitter).toBeCloseTo(expected, 9);
    expect(s.jitterMs).toBeCloseTo((expected / rate) * 1000, 9);
    expect(s.buildReportBlock(1, 0)!.jitter).toBe(Math.floor(expected));
  });

  it('matches a value worked by hand', () => {
    const s = new ReceptionStats(8000);
    s.update(0, 0, 0); // probation
    s.update(1, 160, 20); // transit 0
    s.update(2, 320, 45); // transit 40 units: J = 40/16 = 2.5
    s.update(3, 480, 60); // transit 0: J = 2.5 + (40 - 2.5)/16 = 4.84375
    expect(s.jitter).toBe(4.84375);
  });

  it('stays zero for a constant delay, across a timestamp wrap and on a real-time clock', () => {
    const s = new ReceptionStats(48000);
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 100; i++) s.update(i, (0xffffd000 + i * 960) >>> 0, t0 + i * 20);
    expect(s.jitter).toBe(0);
  });

  it('ignores late and duplicate packets', () => {
    const s = new ReceptionStats(8000);
    feed(s, [0, 1, 2, 3]);
    s.update(1, 160, 500); // a late retransmission
    s.update(3, 480, 510);
    expect(s.jitter).toBe(0);
  });
});

describe('ReceptionStats: LSR / DLSR and RTT (RFC 3550 §6.4.1)', () => {
  it('puts the last SR and the delay since it in the report block', () => {
    const s = new ReceptionStats(8000);
    feed(s, [0, 1, 2]);
    expect(s.buildReportBlock(1, 100)).toMatchObject({ lsr: 0, dlsr: 0 });
    s.onSenderReport(0x5a008000, 1000);
    expect(s.buildReportBlock(1, 1500)).toMatchObject({ lsr: 0x5a008000, dlsr: 32768 });
    expect(s.buildReportBlock(1, 6250)).toMatchObject({ dlsr: 0x54000 }); // 5.25 s
  });

  it('computes the RTT of the RFC example: A 0xb7108000, LSR 0xb7052000, DLSR 0x54000 -> 6.125 s', () => {
    // A Unix time whose compact NTP form is 0xb710:8000.
    const low16 = (46864 - (NTP_UNIX_OFFSET_SEC % 65536) + 65536) % 65536;
    const arrivalMs = (26_000 * 65536 + low16) * 1000 + 500;
    expect(roundTripMs({ lsr: 0xb7052000, dlsr: 0x54000 }, arrivalMs)).toBe(6125);
  });

  it('returns -1 without an SR and 0 for a slightly negative result', () => {
    expect(roundTripMs({ lsr: 0, dlsr: 0 }, Date.now())).toBe(-1);
    const low16 = (1 - (NTP_UNIX_OFFSET_SEC % 65536) + 65536) % 65536;
    const arrivalMs = (26_000 * 65536 + low16) * 1000; // compact NTP 0x0001:0000
    expect(roundTripMs({ lsr: 0x00010000, dlsr: 1 }, arrivalMs)).toBe(0);
    expect(roundTripMs({ lsr: 0x0000ffff, dlsr: 0 }, arrivalMs)).toBeCloseTo(1000 / 65536, 12);
  });
});
