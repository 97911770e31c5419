import { describe, expect, it } from 'vitest';
import { isRtcpPacket, newRtpPacket, parseRtp, readCsrc, writeRtpHeader } from '../../src/rtp/RtpPacket.js';
import { expectInvalidArgument } from '../helpers/errors.js';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));

describe('parseRtp', () => {
  it('reads a plain PCMU packet (RFC 3550 §5.1 layout)', () => {
    // V=2, PT 0, seq 1, ts 160, SSRC 0xdeadbeef, 160 bytes of payload.
    const buf = new Uint8Array(172);
    buf.set(hex('80 00 00 01 00 00 00 a0 de ad be ef'));
    const pkt = newRtpPacket();
    expect(parseRtp(buf, buf.length, pkt)).toBeNull();
    expect(pkt).toEqual({
      marker: false, payloadType: 0, sequenceNumber: 1, timestamp: 160, ssrc: 0xdeadbeef, csrcCount: 0,
      extensionProfile: 0, extensionOffset: 0, extensionLength: 0, payloadOffset: 12, payloadLength: 160, paddingLength: 0,
    });
  });

  it('reads marker, CSRCs, a one-byte extension block and padding', () => {
    const buf = hex(`
      b2 ef ff ff  ff ff ff ff  00 00 00 01
      00 00 00 0a  00 00 00 0b
      be de 00 01  10 ff 00 00
      aa bb cc
      00 00 03`);
    const pkt = newRtpPacket();
    expect(parseRtp(buf, buf.length, pkt)).toBeNull();
    expect(pkt.marker).toBe(true);
    expect(pkt.payloadType).toBe(111);
    expect(pkt.sequenceNumber).toBe(65535);
    expect(pkt.timestamp).toBe(0xffffffff);
    expect(pkt.ssrc).toBe(1);
    expect(pkt.csrcCount).toBe(2);
    expect([readCsrc(buf, 0), readCsrc(buf, 1)]).toEqual([10, 11]);
    expect([pkt.extensionProfile, pkt.extensionOffset, pkt.extensionLength]).toEqual([0xbede, 24, 4]);
    expect([pkt.payloadOffset, pkt.payloadLength, pkt.paddingLength]).toEqual([28, 3, 3]);
  });

  it('clears extension fields left from a previous packet', () => {
    const pkt = newRtpPacket();
    expect(parseRtp(hex('90 00 00 01 00 00 00 00 00 00 00 01 be de 00 00'), 16, pkt)).toBeNull();
    expect(pkt.extensionProfile).toBe(0xbede);
    expect(parseRtp(hex('80 00 00 02 00 00 00 00 00 00 00 01 ff'), 13, pkt)).toBeNull();
    expect([pkt.extensionProfile, pkt.extensionOffset, pkt.extensionLength, pkt.payloadLength]).toEqual([0, 0, 0, 1]);
  });

  it('reads only the first len bytes of the buffer', () => {
    const buf = new Uint8Array(1500);
    buf.set(hex('80 08 00 07 00 00 01 00 00 00 00 09'));
    const pkt = newRtpPacket();
    expect(parseRtp(buf, 52, pkt)).toBeNull();
    expect(pkt.payloadLength).toBe(40);
    expect(parseRtp(buf, 5000, pkt)).toBeNull(); // a len past the buffer is clamped
    expect(pkt.payloadLength).toBe(1488);
  });

  it('accepts an empty payload', () => {
    const pkt = newRtpPacket();
    expect(parseRtp(hex('80 00 00 01 00 00 00 00 00 00 00 01'), 12, pkt)).toBeNull();
    expect(pkt.payloadLength).toBe(0);
  });

  const cases: [string, string, number?][] = [
    ['truncated', '80 00 00 01 00 00 00 00 00 00 00'],
    ['truncated', '80 00 00 01 00 00 00 00 00 00 00 01', 0],
    ['truncated', '80 00 00 01 00 00 00 00 00 00 00 01', NaN],
    ['bad-version', '40 00 00 01 00 00 00 00 00 00 00 01'],
    ['bad-version', 'c0 00 00 01 00 00 00 00 00 00 00 01'],
    ['truncated', '82 00 00 01 00 00 00 00 00 00 00 01 00 00 00 0a'], // 2 CSRCs, room for 1
    ['truncated', '90 00 00 01 00 00 00 00 00 00 00 01 be de 00'], // extension header cut
    ['bad-extension', '90 00 00 01 00 00 00 00 00 00 00 01 be de 00 02 10 ff 00 00'],
    ['bad-padding', 'a0 00 00 01 00 00 00 00 00 00 00 01 aa 00'], // count 0
    ['bad-padding', 'a0 00 00 01 00 00 00 00 00 00 00 01 aa 03'], // more than the payload
  ];
  for (const [error, bytes, len] of cases) {
    it(`rejects ${bytes.slice(0, 14)}... (${bytes.length / 3 + 1 | 0} bytes, len ${len ?? 'all'}) as ${error}`, () => {
      const buf = hex(bytes);
      expect(parseRtp(buf, len ?? buf.length, newRtpPacket())).toBe(error);
    });
  }

  it('accepts padding that fills the whole payload', () => {
    const pkt = newRtpPacket();
    expect(parseRtp(hex('a0 00 00 01 00 00 00 00 00 00 00 01 00 00 03'), 15, pkt)).toBeNull();
    expect([pkt.payloadLength, pkt.paddingLength]).toEqual([0, 3]);
  });
});

describe('isRtcpPacket (RFC 5761 demultiplexing)', () => {
  it('is true for packet types 192..223', () => {
    for (const pt of [192, 200, 201, 202, 203, 205, 206, 207, 223]) expect(isRtcpPacket(Uint8Array.of(0x80, pt), 2)).toBe(true);
  });
  it('is false for RTP, with or without the marker bit', () => {
    for (const b1 of [0, 8, 96, 111, 0x80, 0x80 | 111, 0x80 | 96, 224, 191]) expect(isRtcpPacket(Uint8Array.of(0x80, b1, 0, 0), 4)).toBe(false);
  });
  it('is false for fewer than 2 bytes', () => {
    expect(isRtcpPacket(Uint8Array.of(0x80, 200), 1)).toBe(false);
    expect(isRtcpPacket(Uint8Array.of(0x80), 2)).toBe(false);
  });
});

describe('writeRtpHeader', () => {
  it('round-trips through parseRtp', () => {
    const buf = new Uint8Array(40);
    const h = { marker: true, payloadType: 96, sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0x80000001 };
    expect(writeRtpHeader(buf, 8, h)).toBe(12);
    const pkt = newRtpPacket();
    expect(parseRtp(buf.subarray(8), 32, pkt)).toBeNull();
    expect({ marker: pkt.marker, payloadType: pkt.payloadType, sequenceNumber: pkt.sequenceNumber, timestamp: pkt.timestamp, ssrc: pkt.ssrc }).toEqual(h);
    expect([pkt.csrcCount, pkt.extensionProfile, pkt.payloadOffset, pkt.payloadLength]).toEqual([0, 0, 12, 20]);
  });

  it('writes the RFC 3550 byte layout', () => {
    const buf = new Uint8Array(12);
    writeRtpHeader(buf, 0, { marker: false, payloadType: 8, sequenceNumber: 0x1234, timestamp: 0x01020304, ssrc: 0xa0b0c0d0 });
    expect(Array.from(buf)).toEqual([0x80, 8, 0x12, 0x34, 1, 2, 3, 4, 0xa0, 0xb0, 0xc0, 0xd0]);
  });

  it('rejects bad fields and a buffer without room', () => {
    const ok = { marker: false, payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0 };
    const buf = new Uint8Array(20);
    expectInvalidArgument(() => writeRtpHeader(buf, 9, ok), 'offset');
    expectInvalidArgument(() => writeRtpHeader(buf, -1, ok), 'offset');
    expectInvalidArgument(() => writeRtpHeader(buf, 0, { ...ok, payloadType: 128 }), 'payloadType');
    expectInvalidArgument(() => writeRtpHeader(buf, 0, { ...ok, sequenceNumber: 65536 }), 'sequenceNumber');
    expectInvalidArgument(() => writeRtpHeader(buf, 0, { ...ok, timestamp: -1 }), 'timestamp');
    expectInvalidArgument(() => writeRtpHeader(buf, 0, { ...ok, ssrc: 1.5 }), 'ssrc');
  });
});
