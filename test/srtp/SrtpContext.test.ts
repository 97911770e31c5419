import { describe, expect, it } from 'vitest';
import { SrtpContext } from '../../src/srtp/SrtpContext.js';
import { estimateRtpIndex } from '../../src/srtp/srtpStreams.js';
import { SRTP_SUITES } from '../../src/srtp/SrtpSuite.js';
import { ALL_SUITES, randomKey, rtcpPacket, rtpPacket } from './rtpPackets.js';

function pair(suite: (typeof ALL_SUITES)[number]): { tx: SrtpContext; rx: SrtpContext } {
  const key = randomKey(suite);
  return { tx: new SrtpContext(key), rx: new SrtpContext(key) };
}

describe.each(ALL_SUITES)('SrtpContext %s', (suite) => {
  const info = SRTP_SUITES[suite];

  it('round-trips RTP, keeping the header in the clear and appending the tag', () => {
    const { tx, rx } = pair(suite);
    for (let seq = 100; seq < 110; seq++) {
      const plain = rtpPacket({ seq });
      const srtp = tx.protectRtp(plain);
      expect(srtp.length).toBe(plain.length + info.rtpTagLength);
      expect(srtp.subarray(0, 12)).toEqual(plain.subarray(0, 12));
      expect(srtp.subarray(12, plain.length)).not.toEqual(plain.subarray(12));
      expect(rx.unprotectRtp(srtp)).toEqual(plain);
    }
  });

  it('round-trips RTP with CSRCs and a header extension, authenticating but not encrypting them', () => {
    const { tx, rx } = pair(suite);
    const plain = rtpPacket({ seq: 7, csrcs: [1, 2, 3], extensionWords: 2, payloadLength: 33 });
    const srtp = tx.protectRtp(plain);
    const hdr = 12 + 12 + 4 + 8;
    expect(srtp.subarray(0, hdr)).toEqual(plain.subarray(0, hdr));
    expect(rx.unprotectRtp(srtp)).toEqual(plain);
    const tampered = Buffer.from(tx.protectRtp(rtpPacket({ seq: 8, csrcs: [1, 2, 3], extensionWords: 2 })));
    tampered[hdr - 1] ^= 1; // a header extension byte
    expect(rx.unprotectRtp(tampered)).toBe('auth');
  });

  it('round-trips an RTP packet with an empty payload', () => {
    const { tx, rx } = pair(suite);
    const plain = rtpPacket({ seq: 1, payloadLength: 0 });
    expect(rx.unprotectRtp(tx.protectRtp(plain))).toEqual(plain);
  });

  it('honours len and byteOffset of the input', () => {
    const { tx, rx } = pair(suite);
    const plain = rtpPacket({ seq: 3 });
    const big = new Uint8Array(plain.length + 64);
    big.set(plain, 16);
    const srtp = tx.protectRtp(big.subarray(16), plain.length);
    const wire = new Uint8Array(srtp.length + 100);
    wire.set(srtp, 50);
    expect(rx.unprotectRtp(wire.subarray(50), srtp.length)).toEqual(plain);
  });

  it('round-trips compound RTCP, always encrypting with the E bit and a 31-bit index', () => {
    const { tx, rx } = pair(suite);
    for (let i = 0; i < 5; i++) {
      const plain = rtcpPacket(0xabcdef01, i + 1);
      const srtcp = tx.protectRtcp(plain);
      expect(srtcp.length).toBe(plain.length + 4 + info.rtcpTagLength);
      expect(srtcp.subarray(0, 8)).toEqual(plain.subarray(0, 8));
      expect(srtcp.subarray(8, plain.length)).not.toEqual(plain.subarray(8));
      const indexAt = info.aead ? srtcp.length - 4 : plain.length;
      expect(srtcp.readUInt32BE(indexAt)).toBe((0x80000000 | i) >>> 0);
      expect(rx.unprotectRtcp(srtcp)).toEqual(plain);
    }
  });

  it('returns auth for any tampered byte of an RTP packet (header, payload, tag)', () => {
    const { tx, rx } = pair(suite);
    const srtp = tx.protectRtp(rtpPacket({ seq: 42, payloadLength: 40 }));
    for (let i = 0; i < srtp.length; i++) {
      const bad = Buffer.from(srtp);
      bad[i] ^= 0x01;
      const r = rx.unprotectRtp(bad);
      // Flipping the CC or X bit changes the header layout and may make it not fit.
      if (i === 0 && r === 'truncated') continue;
      expect(r, `byte ${i}`).toBe('auth');
    }
    expect(rx.unprotectRtp(srtp)).toEqual(rtpPacket({ seq: 42, payloadLength: 40 }));
  });

  it('returns auth for any tampered byte of an RTCP packet', () => {
    const { tx, rx } = pair(suite);
    const plain = rtcpPacket();
    const srtcp = tx.protectRtcp(plain);
    for (let i = 0; i < srtcp.length; i++) {
      const bad = Buffer.from(srtcp);
      bad[i] ^= 0x01;
      const r = rx.unprotectRtcp(bad);
      if (i === 1 || (i === 0 && r === 'bad-rtcp')) continue; // packet type / version bits
      expect(r, `byte ${i}`).toBe('auth');
    }
    expect(rx.unprotectRtcp(srtcp)).toEqual(plain);
  });

  it('rejects a replayed RTP packet and accepts reordered ones once each', () => {
    const { tx, rx } = pair(suite);
    const packets = Array.from({ length: 20 }, (_, i) => tx.protectRtp(rtpPacket({ seq: 1000 + i })));
    expect(rx.unprotectRtp(packets[19])).toBeInstanceOf(Buffer);
    expect(rx.unprotectRtp(packets[19])).toBe('replay');
    for (const i of [3, 17, 0, 9]) {
      expect(rx.unprotectRtp(packets[i])).toEqual(rtpPacket({ seq: 1000 + i }));
      expect(rx.unprotectRtp(packets[i])).toBe('replay');
    }
  });

  it('rejects an RTP packet older than the 128-packet window as too-old', () => {
    const { tx, rx } = pair(suite);
    const old = tx.protectRtp(rtpPacket({ seq: 11 }));
    const edge = tx.protectRtp(rtpPacket({ seq: 12 }));
    for (let seq = 13; seq <= 138; seq++) tx.protectRtp(rtpPacket({ seq }));
    expect(rx.unprotectRtp(tx.protectRtp(rtpPacket({ seq: 139 })))).toBeInstanceOf(Buffer);
    expect(rx.unprotectRtp(old)).toBe('too-old'); // 128 behind the highest
    expect(rx.unprotectRtp(edge)).toBeInstanceOf(Buffer); // 127 behind: the window's oldest slot
  });

  it('does not advance the window on a tampered packet: the genuine copy is still accepted', () => {
    const { tx, rx } = pair(suite);
    expect(rx.unprotectRtp(tx.protectRtp(rtpPacket({ seq: 5 })))).toBeInstanceOf(Buffer);
    const genuine = tx.protectRtp(rtpPacket({ seq: 6 }));
    const forged = Buffer.from(genuine);
    forged[forged.length - 1] ^= 0x80;
    expect(rx.unprotectRtp(forged)).toBe('auth');
    expect(rx.unprotectRtp(genuine)).toEqual(rtpPacket({ seq: 6 }));
    // A forged packet far ahead must not push the window past genuine traffic either.
    const farAhead = Buffer.from(tx.protectRtp(rtpPacket({ seq: 5000 })));
    farAhead[20] ^= 1;
    expect(rx.unprotectRtp(farAhead)).toBe('auth');
    expect(rx.unprotectRtp(tx.protectRtp(rtpPacket({ seq: 7 })))).toBeInstanceOf(Buffer);
  });

  it('replay-protects and checks RTCP the same way', () => {
    const { tx, rx } = pair(suite);
    const packets = Array.from({ length: 200 }, (_, i) => tx.protectRtcp(rtcpPacket(0x5eed, i)));
    expect(rx.unprotectRtcp(packets[199])).toBeInstanceOf(Buffer);
    expect(rx.unprotectRtcp(packets[199])).toBe('replay');
    expect(rx.unprotectRtcp(packets[150])).toEqual(rtcpPacket(0x5eed, 150));
    expect(rx.unprotectRtcp(packets[150])).toBe('replay');
    expect(rx.unprotectRtcp(packets[10])).toBe('too-old');
    const forged = Buffer.from(packets[198]);
    forged[12] ^= 4;
    expect(rx.unprotectRtcp(forged)).toBe('auth');
    expect(rx.unprotectRtcp(packets[198])).toEqual(rtcpPacket(0x5eed, 198));
  });

  it('keeps decrypting across the sequence number wrap, including a late packet from before it', () => {
    const { tx, rx } = pair(suite);
    const seqs = [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3];
    const packets = seqs.map((seq) => tx.protectRtp(rtpPacket({ seq })));
    const order = [0, 1, 2, 3, 4, 6, 7, 5, 9, 8]; // 65535 arrives after 0 and 1; 2 and 3 swapped
    for (const i of order) expect(rx.unprotectRtp(packets[i]), `seq ${seqs[i]}`).toEqual(rtpPacket({ seq: seqs[i] }));
    for (const i of order) expect(rx.unprotectRtp(packets[i])).toBe('replay');
    // And on into the second wrap: the ROC keeps counting.
    for (let k = 4; k < 3 * 65536; k += 1000) {
      const seq = k & 0xffff;
      expect(rx.unprotectRtp(tx.protectRtp(rtpPacket({ seq })))).toEqual(rtpPacket({ seq }));
    }
  });

  it('keeps separate state per SSRC', () => {
    const { tx, rx } = pair(suite);
    const a = tx.protectRtp(rtpPacket({ seq: 1, ssrc: 1 }));
    const b = tx.protectRtp(rtpPacket({ seq: 1, ssrc: 2 }));
    expect(rx.unprotectRtp(a)).toBeInstanceOf(Buffer);
    expect(rx.unprotectRtp(b)).toBeInstanceOf(Buffer);
    expect(rx.unprotectRtp(a)).toBe('replay');
  });

  it('fails authentication with the wrong key', () => {
    const tx = new SrtpContext(randomKey(suite));
    const rx = new SrtpContext(randomKey(suite));
    expect(rx.unprotectRtp(tx.protectRtp(rtpPacket({ seq: 1 })))).toBe('auth');
    expect(rx.unprotectRtcp(tx.protectRtcp(rtcpPacket()))).toBe('auth');
    expect(rx.inboundRtpSsrcs).toBe(0);
  });
});

describe('SrtpContext limits and inputs', () => {
  it('tracks at most 16 inbound SSRCs, dropping the least recently used', () => {
    const key = randomKey('AES_CM_128_HMAC_SHA1_80');
    const tx = new SrtpContext(key);
    const rx = new SrtpContext(key);
    const first = tx.protectRtp(rtpPacket({ seq: 1, ssrc: 1000 }));
    expect(rx.unprotectRtp(first)).toBeInstanceOf(Buffer);
    const keep = tx.protectRtp(rtpPacket({ seq: 1, ssrc: 2000 }));
    expect(rx.unprotectRtp(keep)).toBeInstanceOf(Buffer);
    for (let s = 1; s <= 15; s++) {
      expect(rx.unprotectRtp(tx.protectRtp(rtpPacket({ seq: 1, ssrc: s })))).toBeInstanceOf(Buffer);
      expect(rx.unprotectRtp(tx.protectRtp(rtpPacket({ seq: 2, ssrc: 2000 })))).not.toBe('auth'); // keeps 2000 recent
    }
    expect(rx.inboundRtpSsrcs).toBe(16);
    // SSRC 1000 was evicted: its state is gone, so the old packet is accepted as a new stream.
    expect(rx.unprotectRtp(first)).toBeInstanceOf(Buffer);
    expect(rx.unprotectRtp(keep)).toBe('replay');
    expect(rx.inboundRtpSsrcs).toBe(16);
  });

  it('throws on a plain packet too short to protect, and rejects bad keys', () => {
    const ctx = new SrtpContext(randomKey('AEAD_AES_128_GCM'));
    expect(() => ctx.protectRtp(new Uint8Array(11))).toThrow(/packet/);
    expect(() => ctx.protectRtp(Buffer.from([0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/packet/); // CC=1, no CSRC
    expect(() => ctx.protectRtcp(new Uint8Array(7))).toThrow(/packet/);
    expect(() => ctx.protectRtp(new Uint8Array(20), 21)).toThrow(/packet/);
    expect(() => new SrtpContext({ ...randomKey('AEAD_AES_128_GCM'), salt: Buffer.alloc(14) })).toThrow(/salt/);
  });

  it('estimates indices per RFC 3711 Appendix A', () => {
    expect(estimateRtpIndex(-1, 65535)).toBe(65535);
    expect(estimateRtpIndex(65535, 0)).toBe(65536);
    expect(estimateRtpIndex(65536 + 2, 65534)).toBe(65534);
    expect(estimateRtpIndex(5, 65535)).toBe(-1); // would need ROC -1
    expect(estimateRtpIndex(3 * 65536 + 40000, 100)).toBe(4 * 65536 + 100);
    expect(estimateRtpIndex(3 * 65536 + 100, 40000)).toBe(2 * 65536 + 40000);
  });
});
