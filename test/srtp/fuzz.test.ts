import { describe, expect, it } from 'vitest';
import { SrtpContext } from '../../src/srtp/SrtpContext.js';
import { ALL_SUITES, randomKey, rtcpPacket, rtpPacket } from './rtpPackets.js';

const ERRORS = ['truncated', 'auth', 'replay', 'too-old', 'bad-rtcp'];

/** Deterministic xorshift32 so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

describe.each(ALL_SUITES)('garbage input to %s', (suite) => {
  it('random buffers never throw and return an error code', () => {
    const rx = new SrtpContext(randomKey(suite));
    const rand = rng(0x5eed + suite.length);
    for (let n = 0; n < 3000; n++) {
      const buf = Buffer.alloc(Math.floor(rand() * 300));
      for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rand() * 256);
      // Half of them get an RTP/RTCP-looking first byte, so parsing goes deeper.
      if (buf.length > 0 && n % 2 === 0) buf[0] = 0x80 | (buf[0] & 0x3f);
      if (buf.length > 1 && n % 4 === 0) buf[1] = 200 + (buf[1] % 5);
      expect(ERRORS).toContain(rx.unprotectRtp(buf));
      expect(ERRORS).toContain(rx.unprotectRtcp(buf));
    }
    expect(rx.inboundRtpSsrcs).toBe(0);
  });

  it('every truncation and random mutations of genuine packets return an error code', () => {
    const key = randomKey(suite);
    const tx = new SrtpContext(key);
    const rx = new SrtpContext(key);
    const rand = rng(77);
    const srtp = tx.protectRtp(rtpPacket({ seq: 9, csrcs: [5], extensionWords: 1, payloadLength: 60 }));
    const srtcp = tx.protectRtcp(rtcpPacket());
    for (let len = 0; len < srtp.length; len++) expect(ERRORS).toContain(rx.unprotectRtp(srtp, len));
    for (let len = 0; len < srtcp.length; len++) expect(ERRORS).toContain(rx.unprotectRtcp(srtcp, len));
    expect(rx.unprotectRtp(srtp, srtp.length + 1)).toBe('truncated');
    expect(rx.unprotectRtp(srtp, -1)).toBe('truncated');
    expect(rx.unprotectRtp(srtp, 1.5)).toBe('truncated');
    for (let n = 0; n < 2000; n++) {
      const src = n % 2 ? srtp : srtcp;
      const bad = Buffer.from(src);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) bad[Math.floor(rand() * bad.length)] ^= 1 + Math.floor(rand() * 255);
      if (bad.equals(src)) continue;
      expect(ERRORS).toContain(n % 2 ? rx.unprotectRtp(bad) : rx.unprotectRtcp(bad));
    }
    // None of that disturbed the genuine packets.
    expect(rx.unprotectRtp(srtp)).toBeInstanceOf(Buffer);
    expect(rx.unprotectRtcp(srtcp)).toBeInstanceOf(Buffer);
  });
});
