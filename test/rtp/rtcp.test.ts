import { describe, expect, it } from 'vitest';
import {
  compactNtpFromUnixMs,
  middle32,
  ntpFromUnixMs,
  parseRtcp,
  writeBye,
  writeReceiverReport,
  writeSdesCname,
  writeSenderReport,
  type ReportBlock,
  type RtcpReceiverReport,
} from '../../src/rtp/rtcp.js';
import { expectInvalidArgument } from '../helpers/errors.js';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
const ascii = (s: string) => Array.from(Buffer.from(s)).map((b) => b.toString(16).padStart(2, '0')).join(' ');

const SR = `81 c8 00 0c  12 34 56 78  e4 2b 5a 00  80 00 00 00  00 01 e2 40  00 00 00 64  00 00 3e 80
            aa bb cc dd  19 ff ff fe  00 01 00 05  00 00 00 20  5a 00 80 00  00 01 00 00`;
const SDES = `81 ca 00 06  12 34 56 78  01 10 ${ascii('user@example.com')}  00 00`;
const NACK = '81 cd 00 03  12 34 56 78  aa bb cc dd  00 07 00 01';
const BYE = `81 cb 00 03  12 34 56 78  04 ${ascii('gone')} 00 00 00`;

describe('parseRtcp', () => {
  it('reads a compound SR + SDES + feedback + BYE, skipping the feedback', () => {
    const buf = hex(`${SR} ${SDES} ${NACK} ${BYE}`);
    expect(parseRtcp(buf, buf.length)).toEqual([
      {
        type: 'sr', ssrc: 0x12345678, ntpSec: 0xe42b5a00, ntpFrac: 0x80000000, rtpTimestamp: 123456, packetCount: 100, octetCount: 16000,
        reports: [{ ssrc: 0xaabbccdd, fractionLost: 25, cumulativeLost: -2, highestSeq: 0x10005, jitter: 32, lsr: 0x5a008000, dlsr: 0x10000 }],
      },
      { type: 'sdes', chunks: [{ ssrc: 0x12345678, cname: 'user@example.com' }] },
      { type: 'bye', ssrcs: [0x12345678], reason: 'gone' },
    ]);
  });

  it('reads an RR with two report blocks and one without any', () => {
    const buf = hex(`82 c9 00 0d  00 00 00 01
      00 00 00 02  00 00 00 03  00 00 ff ff  00 00 00 00  00 00 00 00  00 00 00 00
      00 00 00 04  ff 7f ff ff  ff ff ff ff  ff ff ff ff  ff ff ff ff  ff ff ff ff
      80 c9 00 01  00 00 00 05`);
    const out = parseRtcp(buf, buf.length);
    expect(out).toEqual([
      {
        type: 'rr', ssrc: 1,
        reports: [
          { ssrc: 2, fractionLost: 0, cumulativeLost: 3, highestSeq: 0xffff, jitter: 0, lsr: 0, dlsr: 0 },
          { ssrc: 4, fractionLost: 255, cumulativeLost: 0x7fffff, highestSeq: 0xffffffff, jitter: 0xffffffff, lsr: 0xffffffff, dlsr: 0xffffffff },
        ],
      },
      { type: 'rr', ssrc: 5, reports: [] },
    ]);
  });

  it('reads SDES chunks without a CNAME, with other items, and several chunks', () => {
    // chunk 1: NAME "ab" then CNAME "c"; chunk 2: only the terminator.
    const buf = hex('82 ca 00 05  00 00 00 01  02 02 61 62  01 01 63 00  00 00 00 02  00 00 00 00');
    expect(parseRtcp(buf, buf.length)).toEqual([{ type: 'sdes', chunks: [{ ssrc: 1, cname: 'c' }, { ssrc: 2, cname: null }] }]);
  });

  it('reads a BYE for several sources without a reason, and honours padding on the last packet', () => {
    const buf = hex('a2 cb 00 03  00 00 00 01  00 00 00 02  00 00 00 04');
    expect(parseRtcp(buf, buf.length)).toEqual([{ type: 'bye', ssrcs: [1, 2], reason: null }]);
  });

  it('reads only the first len bytes', () => {
    const buf = hex(`${SR} ${SDES}`);
    expect(parseRtcp(buf, 52)).toHaveLength(1);
  });

  const errors: [string, string][] = [
    ['truncated', '80 c9 00'],
    ['truncated', '80 c9 00 02  00 00 00 01'], // length says 12 bytes
    ['truncated', '80 c9 00 01  00 00 00 01  80'], // a stray byte after the first packet
    ['bad-version', '40 c9 00 01  00 00 00 01'],
    ['bad-version', '80 c9 00 01  00 00 00 01  00 c9 00 01  00 00 00 01'],
    ['bad-padding', 'a0 c9 00 01  00 00 00 00'],
    ['bad-padding', 'a0 c9 00 01  00 00 00 05'],
    ['bad-length', '82 c9 00 07  00 00 00 01  00 00 00 02  00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00'],
    ['bad-length', '80 c8 00 01  00 00 00 01'],
    ['bad-length', '81 ca 00 02  00 00 00 01  01 08 61 62'], // item runs past the packet
    ['bad-length', '81 ca 00 02  00 00 00 01  01 02 61 62'], // no terminating null item
    ['bad-length', '82 cb 00 01  00 00 00 01'], // 2 sources, room for 1
    ['bad-length', '81 cb 00 02  00 00 00 01  09 61 62 63'], // reason runs past the packet
  ];
  for (const [error, bytes] of errors) {
    it(`rejects ${bytes.slice(0, 35).trim()}... as ${error}`, () => {
      const buf = hex(bytes);
      expect(parseRtcp(buf, buf.length)).toBe(error);
    });
  }
});

const block = (over: Partial<ReportBlock> = {}): ReportBlock => ({
  ssrc: 0xcafebabe, fractionLost: 64, cumulativeLost: 12, highestSeq: 0x2ffff, jitter: 77, lsr: 0x12345678, dlsr: 65536, ...over,
});

describe('RTCP writers', () => {
  it('write a compound SR + SDES + BYE that parses back', () => {
    const buf = new Uint8Array(200);
    const sr = { ssrc: 0xffffffff, ntpSec: 3913056000, ntpFrac: 0x40000000, rtpTimestamp: 960, packetCount: 50, octetCount: 8000 };
    let n = writeSenderReport(buf, 0, { ...sr, reports: [block(), block({ ssrc: 9, cumulativeLost: -5 })] });
    expect(n).toBe(28 + 48);
    n += writeSdesCname(buf, n, sr.ssrc, 'roomtone-é');
    n += writeBye(buf, n, sr.ssrc, 'left');
    expect(n % 4).toBe(0);
    expect(parseRtcp(buf, n)).toEqual([
      { type: 'sr', ...sr, reports: [block(), block({ ssrc: 9, cumulativeLost: -5 })] },
      { type: 'sdes', chunks: [{ ssrc: sr.ssrc, cname: 'roomtone-é' }] },
      { type: 'bye', ssrcs: [sr.ssrc], reason: 'left' },
    ]);
  });

  it('write the RFC 3550 byte layout of an RR', () => {
    const buf = new Uint8Array(32);
    expect(writeReceiverReport(buf, 0, { ssrc: 1, reports: [block({ ssrc: 2, fractionLost: 1, cumulativeLost: -1 })] })).toBe(32);
    expect(Array.from(buf.subarray(0, 16))).toEqual([0x81, 201, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 1, 0xff, 0xff, 0xff]);
    expect(writeReceiverReport(buf, 0, { ssrc: 1, reports: [] })).toBe(8);
    expect(Array.from(buf.subarray(0, 8))).toEqual([0x80, 201, 0, 1, 0, 0, 0, 1]);
  });

  it('clamp a cumulative loss beyond 24 bits (RFC 3550 A.3)', () => {
    const buf = new Uint8Array(64);
    const n = writeReceiverReport(buf, 0, { ssrc: 1, reports: [block({ cumulativeLost: 1e9 }), block({ cumulativeLost: -1e9 })] });
    const [rr] = parseRtcp(buf, n) as RtcpReceiverReport[];
    expect(rr.reports.map((r) => r.cumulativeLost)).toEqual([0x7fffff, -0x800000]);
  });

  it('pad an SDES CNAME of every length to a word and parse it back', () => {
    const buf = new Uint8Array(300).fill(0xee);
    for (let len = 1; len <= 255; len++) {
      const cname = 'x'.repeat(len);
      const n = writeSdesCname(buf, 0, 7, cname);
      expect(n % 4).toBe(0);
      expect(n).toBeGreaterThanOrEqual(4 + 4 + 2 + len + 1);
      expect(n - (4 + 4 + 2 + len + 1)).toBeLessThan(4);
      expect(parseRtcp(buf, n)).toEqual([{ type: 'sdes', chunks: [{ ssrc: 7, cname }] }]);
    }
  });

  it('write a BYE without a reason in 8 bytes, and pad every reason length', () => {
    const buf = new Uint8Array(300);
    expect(writeBye(buf, 0, 42)).toBe(8);
    expect(Array.from(buf.subarray(0, 8))).toEqual([0x81, 203, 0, 1, 0, 0, 0, 42]);
    for (let len = 0; len <= 9; len++) {
      const n = writeBye(buf, 0, 42, 'r'.repeat(len));
      expect(n % 4).toBe(0);
      expect(parseRtcp(buf, n)).toEqual([{ type: 'bye', ssrcs: [42], reason: len ? 'r'.repeat(len) : null }]);
    }
  });

  it('reject bad arguments', () => {
    const buf = new Uint8Array(2000);
    const sr = { ssrc: 1, ntpSec: 0, ntpFrac: 0, rtpTimestamp: 0, packetCount: 0, octetCount: 0, reports: [] };
    expectInvalidArgument(() => writeSenderReport(new Uint8Array(27), 0, sr), 'offset');
    expectInvalidArgument(() => writeSenderReport(buf, 0, { ...sr, ntpSec: 2 ** 32 }), 'ntpSec');
    expectInvalidArgument(() => writeSenderReport(buf, 0, { ...sr, reports: Array.from({ length: 32 }, () => block()) }), 'reports');
    expectInvalidArgument(() => writeReceiverReport(buf, 0, { ssrc: 1, reports: [block({ fractionLost: 256 })] }), 'reports.fractionLost');
    expectInvalidArgument(() => writeReceiverReport(buf, 0, { ssrc: 1, reports: [block({ cumulativeLost: 0.5 })] }), 'reports.cumulativeLost');
    expectInvalidArgument(() => writeReceiverReport(buf, 1995, { ssrc: 1, reports: [] }), 'offset');
    expectInvalidArgument(() => writeSdesCname(buf, 0, 1, ''), 'cname');
    expectInvalidArgument(() => writeSdesCname(buf, 0, 1, 'x'.repeat(256)), 'cname');
    expectInvalidArgument(() => writeSdesCname(buf, 0, -1, 'x'), 'ssrc');
    expectInvalidArgument(() => writeBye(buf, 0, 1, 'x'.repeat(256)), 'reason');
  });
});

describe('NTP helpers', () => {
  it('convert Unix ms to NTP seconds and fraction', () => {
    expect(ntpFromUnixMs(0)).toEqual({ sec: 2208988800, frac: 0 });
    expect(ntpFromUnixMs(1500)).toEqual({ sec: 2208988801, frac: 0x80000000 });
    expect(ntpFromUnixMs(1_700_000_000_250)).toEqual({ sec: 1_700_000_000 + 2208988800, frac: 0x40000000 });
    // NTP era 1 begins on 2036-02-07T06:28:16Z.
    expect(ntpFromUnixMs(Date.UTC(2036, 1, 7, 6, 28, 16))).toEqual({ sec: 0, frac: 0 });
    const { frac } = ntpFromUnixMs(999.9999999);
    expect(frac).toBeLessThanOrEqual(0xffffffff);
  });

  it('take the middle 32 bits for LSR', () => {
    expect(middle32(0xe42b5a00, 0x80000000)).toBe(0x5a008000);
    expect(middle32(0xffffffff, 0xffffffff)).toBe(0xffffffff);
    for (let i = 0; i < 1000; i++) {
      const ms = Date.now() + Math.random() * 1e9;
      const { sec, frac } = ntpFromUnixMs(ms);
      expect(compactNtpFromUnixMs(ms)).toBe(middle32(sec, frac));
    }
  });
});
