import { describe, expect, it } from 'vitest';
import { DtmfReceiver, parseTelephoneEvent } from '../../src/rtp/dtmf.js';
import { readAudioLevel } from '../../src/rtp/headerExtensions.js';
import { ReceptionStats } from '../../src/rtp/ReceptionStats.js';
import { isRtcpPacket, newRtpPacket, parseRtp } from '../../src/rtp/RtpPacket.js';
import { parseRtcp, writeBye, writeReceiverReport, writeSdesCname, writeSenderReport } from '../../src/rtp/rtcp.js';

/** mulberry32: a seeded generator, so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RTCP_ERRORS = ['truncated', 'bad-version', 'bad-padding', 'bad-length'];
const pkt = newRtpPacket();
const dtmf = new DtmfReceiver();
const stats = new ReceptionStats(8000);

/** Runs every parser on buf[0, len) and checks what each claims about the bytes. */
function exercise(buf: Uint8Array, len: number, rand: () => number): void {
  const err = parseRtp(buf, len, pkt);
  if (err === null) {
    expect(pkt.payloadOffset + pkt.payloadLength + pkt.paddingLength).toBe(Math.min(len, buf.length));
    expect(pkt.extensionOffset + pkt.extensionLength).toBeLessThanOrEqual(pkt.payloadOffset);
    expect(pkt.payloadLength).toBeGreaterThanOrEqual(0);
    for (let id = 1; id <= 16; id++) {
      const level = readAudioLevel(buf, pkt, id);
      expect(level >= -1 && level <= 255).toBe(true);
    }
    stats.update(pkt.sequenceNumber, pkt.timestamp, rand() * 1e6);
    const ev = parseTelephoneEvent(buf, pkt.payloadOffset, pkt.payloadLength);
    if (ev) expect(ev.event).toBeLessThan(256);
    dtmf.feed(pkt.timestamp, buf, pkt.payloadOffset, pkt.payloadLength, 8000);
  } else {
    expect(['truncated', 'bad-version', 'bad-padding', 'bad-extension']).toContain(err);
  }
  isRtcpPacket(buf, len);
  const rtcp = parseRtcp(buf, len);
  if (typeof rtcp === 'string') expect(RTCP_ERRORS).toContain(rtcp);
  else expect(Array.isArray(rtcp)).toBe(true);
  parseTelephoneEvent(buf, Math.floor(rand() * (len + 2)) - 1, Math.floor(rand() * 8), undefined);
}

describe('parsers on hostile input', () => {
  it('never throw on 20,000 random byte strings', () => {
    const rand = rng(1234);
    for (let i = 0; i < 20_000; i++) {
      const buf = new Uint8Array(Math.floor(rand() * 200));
      for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rand() * 256);
      // Make most of them look like version 2 with a plausible type, so the parsers go deep.
      if (buf.length > 1 && rand() < 0.8) {
        buf[0] = 0x80 | (buf[0] & 0x3f);
        if (rand() < 0.5) buf[1] = 200 + Math.floor(rand() * 8);
        if (buf.length > 3 && rand() < 0.5) {
          buf[2] = 0;
          buf[3] = Math.floor(rand() * (buf.length / 4));
        }
        if (buf.length > 15 && rand() < 0.3) {
          buf[12] = 0xbe;
          buf[13] = 0xde;
          buf[14] = 0;
        }
      }
      const len = rand() < 0.9 ? buf.length : Math.floor(rand() * (buf.length + 10)) - 2;
      expect(() => exercise(buf, len, rand)).not.toThrow();
    }
  });

  it('never throw on every truncation and single-byte corruption of valid packets', () => {
    const rand = rng(99);
    const rtp = Uint8Array.from([
      0xb2, 0xe5, 0xff, 0xff, 0, 0, 0x10, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
      0xbe, 0xde, 0, 2, 0x10, 0xd5, 0, 0x22, 0xaa, 0xbb, 0xcc, 0,
      5, 0x8a, 6, 0xe0, 0, 0, 3,
    ]);
    const twoByte = Uint8Array.from([0x90, 101, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 0, 0, 2, 1, 1, 0x7f, 0, 7, 2, 1, 2, 9, 0x80, 0, 160]);
    const rtcp = new Uint8Array(400);
    const block = { ssrc: 2, fractionLost: 3, cumulativeLost: -4, highestSeq: 5, jitter: 6, lsr: 7, dlsr: 8 };
    let n = writeSenderReport(rtcp, 0, { ssrc: 1, ntpSec: 1, ntpFrac: 2, rtpTimestamp: 3, packetCount: 4, octetCount: 5, reports: [block, block] });
    n += writeReceiverReport(rtcp, n, { ssrc: 1, reports: [block] });
    n += writeSdesCname(rtcp, n, 1, 'someone@example.org');
    n += writeBye(rtcp, n, 1, 'bye now');
    for (const valid of [rtp, twoByte, rtcp.subarray(0, n)]) {
      for (let len = 0; len <= valid.length; len++) {
        expect(() => exercise(valid, len, rand)).not.toThrow();
        expect(() => exercise(valid.slice(0, len), len, rand)).not.toThrow();
      }
      for (let i = 0; i < valid.length; i++) {
        for (const v of [0, 0xff, 0x80, 0x7f, Math.floor(rand() * 256)]) {
          const copy = valid.slice();
          copy[i] = v;
          expect(() => exercise(copy, copy.length, rand)).not.toThrow();
        }
      }
    }
  });
});
