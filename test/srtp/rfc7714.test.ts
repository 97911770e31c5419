import { describe, expect, it } from 'vitest';
import { SrtpContext, type SrtpSessionKeySet } from '../../src/srtp/SrtpContext.js';

// RFC 7714 §16.1 and §17.1 (AEAD_AES_128_GCM), which give the session key and salt directly.
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const session = { encKey: hex('000102030405060708090a0b0c0d0e0f'), authKey: Buffer.alloc(0), salt: hex('517569642070726f2071756f') };
const keys: SrtpSessionKeySet = { suite: 'AEAD_AES_128_GCM', rtp: session, rtcp: session };

const RTP = hex('8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573');
const SRTP = hex(`8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b
  36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce`);
const RTCP = hex('81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef');
const SRTCP = hex(`81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded
  0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade 800005d4`);
/** §17.1's authenticated-only form: E bit clear, the RTCP in the clear, all of it in the AAD. */
const SRTCP_AUTH_ONLY = hex(`81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef
  deadbeef 841dd968 3dd78ec9 2ae58790 125f62b3 000005d4`);

describe('RFC 7714 test vectors (AEAD_AES_128_GCM)', () => {
  it('§16.1.1: protects the RTP packet to the published bytes', () => {
    expect(new SrtpContext(keys).protectRtp(RTP)).toEqual(SRTP);
  });

  it('§16.1.2: unprotects the published SRTP packet', () => {
    expect(new SrtpContext(keys).unprotectRtp(SRTP)).toEqual(RTP);
  });

  it('§17.1: unprotects the published SRTCP packet (index 0x5d4)', () => {
    const ctx = new SrtpContext(keys);
    expect(ctx.unprotectRtcp(SRTCP)).toEqual(RTCP);
    expect(ctx.unprotectRtcp(SRTCP)).toBe('replay');
  });

  it('§17.1: accepts the authenticated-only SRTCP packet (E bit clear)', () => {
    expect(new SrtpContext(keys).unprotectRtcp(SRTCP_AUTH_ONLY)).toEqual(RTCP);
    const bad = Buffer.from(SRTCP_AUTH_ONLY);
    bad[20] ^= 1;
    expect(new SrtpContext(keys).unprotectRtcp(bad)).toBe('auth');
  });
});
