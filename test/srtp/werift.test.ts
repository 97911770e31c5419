import { RtpPacket, SrtcpSession, SrtpSession } from 'werift';
import { describe, expect, it } from 'vitest';
import { SrtpContext } from '../../src/srtp/SrtpContext.js';
import type { SrtpSuite } from '../../src/srtp/SrtpSuite.js';
import { randomKey, rtcpPacket, rtpPacket } from './rtpPackets.js';

// werift's protection profiles: 1 = SRTP_AES128_CM_HMAC_SHA1_80, 7 = SRTP_AEAD_AES_128_GCM.
const PROFILES: [SrtpSuite, number][] = [
  ['AES_CM_128_HMAC_SHA1_80', 1],
  ['AEAD_AES_128_GCM', 7],
];

/** Our context and werift's session over the same key, werift's local side encrypting with it. */
function setup(suite: SrtpSuite, profile: number) {
  const key = randomKey(suite);
  const keys = { localMasterKey: key.key, localMasterSalt: key.salt, remoteMasterKey: key.key, remoteMasterSalt: key.salt };
  return { ours: new SrtpContext(key), peerRtp: new SrtpSession({ keys, profile }), peerRtcp: new SrtcpSession({ keys, profile }) };
}

/** Plain packets werift re-serializes byte for byte: CSRCs and a one-byte-form header extension. */
function plainPackets(seqs: number[]): Buffer[] {
  return seqs.map((seq, i) => {
    const p = rtpPacket({ seq, csrcs: i % 3 === 0 ? [0xc0ffee] : [], payloadLength: 100 + i });
    if (i % 2 === 0) return p;
    const ext = Buffer.from([0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00]); // id 1, one byte, padding
    const hdr = 12 + (p[0] & 0x0f) * 4;
    const out = Buffer.concat([p.subarray(0, hdr), ext, p.subarray(hdr)]);
    out[0] |= 0x10;
    return out;
  });
}

const SEQS = [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3, 4];

describe.each(PROFILES)('interop with werift, %s', (suite, profile) => {
  it('unprotects RTP that werift protected, across the sequence wrap', () => {
    const { ours, peerRtp } = setup(suite, profile);
    for (const plain of plainPackets(SEQS)) {
      const parsed = RtpPacket.deSerialize(plain);
      const srtp = peerRtp.encrypt(parsed.payload, parsed.header);
      expect(ours.unprotectRtp(srtp)).toEqual(plain);
    }
  });

  it('produces RTP that werift unprotects, across the sequence wrap', () => {
    const { ours, peerRtp } = setup(suite, profile);
    for (const plain of plainPackets(SEQS)) expect(peerRtp.decrypt(ours.protectRtp(plain))).toEqual(plain);
  });

  it('matches werift byte for byte when both protect the same packets', () => {
    const { ours, peerRtp } = setup(suite, profile);
    for (const plain of plainPackets(SEQS)) {
      const parsed = RtpPacket.deSerialize(plain);
      expect(ours.protectRtp(plain)).toEqual(peerRtp.encrypt(parsed.payload, parsed.header));
    }
  });

  it('unprotects SRTCP that werift protected, and werift unprotects ours', () => {
    const { ours, peerRtcp } = setup(suite, profile);
    for (let i = 0; i < 5; i++) {
      const plain = rtcpPacket(0x0badcafe, i);
      expect(ours.unprotectRtcp(peerRtcp.encrypt(plain))).toEqual(plain);
      expect(peerRtcp.decrypt(ours.protectRtcp(plain))).toEqual(plain);
    }
  });

  it('rejects a werift packet protected with another key', () => {
    const { peerRtp } = setup(suite, profile);
    const ours = new SrtpContext(randomKey(suite));
    const plain = rtpPacket({ seq: 1 });
    const parsed = RtpPacket.deSerialize(plain);
    expect(ours.unprotectRtp(peerRtp.encrypt(parsed.payload, parsed.header))).toBe('auth');
  });
});
