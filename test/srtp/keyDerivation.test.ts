import { describe, expect, it } from 'vitest';
import { aesCmPrf, aesCtr, deriveSessionKeys, KdfLabel } from '../../src/srtp/keyDerivation.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('RFC 3711 Appendix B.2: AES-CM keystream', () => {
  // Session key and salt of B.2; SSRC, ROC and SEQ all zero, so the IV is the salt times 2^16.
  const key = hex('2B7E151628AED2A6ABF7158809CF4F3C');
  const iv = hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000');
  const keystream = aesCtr(key, iv, 0xff02 * 16);
  const block = (n: number): string => keystream.subarray(n * 16, n * 16 + 16).toString('hex').toUpperCase();

  it('produces the first three keystream blocks', () => {
    expect(block(0)).toBe('E03EAD0935C95E80E166B16DD92B4EB4');
    expect(block(1)).toBe('D23513162B02D0F72A43A2FE4A5F97AB');
    expect(block(2)).toBe('41E95B3BB0A2E8DD477901E4FCA894C0');
  });

  it('produces the blocks at counters FEFF, FF00 and FF01', () => {
    expect(block(0xfeff)).toBe('EC8CDF7398607CB0F2D21675EA9EA1E4');
    expect(block(0xff00)).toBe('362B7C3C6773516318A077D7FC5073AE');
    expect(block(0xff01)).toBe('6A2CC3787889374FBEB4C81B17BA6C44');
  });

  it('XORs the keystream into data when given data', () => {
    const data = Buffer.alloc(48, 0xff);
    const out = aesCtr(key, iv, data);
    for (let i = 0; i < 48; i++) expect(out[i]).toBe(keystream[i] ^ 0xff);
  });
});

describe('RFC 3711 Appendix B.3: key derivation', () => {
  const masterKey = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
  const masterSalt = hex('0EC675AD498AFEEBB6960B3AABE6');

  it('derives the cipher key (label 0)', () => {
    expect(aesCmPrf(masterKey, masterSalt, KdfLabel.RtpEncryption, 16).toString('hex').toUpperCase()).toBe('C61E7A93744F39EE10734AFE3FF7A087');
  });

  it('derives the cipher salt (label 2)', () => {
    expect(aesCmPrf(masterKey, masterSalt, KdfLabel.RtpSalt, 14).toString('hex').toUpperCase()).toBe('30CBBC08863D8C85D49DB34A9AE1');
  });

  it('derives all 94 bytes of the auth key stream (label 1)', () => {
    const expected =
      'CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE E049646C43D9327AD175578EF7227098 ' +
      '6371C10C9A369AC2F94A8C5FBCDDDC25 6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2';
    expect(aesCmPrf(masterKey, masterSalt, KdfLabel.RtpAuthentication, 94)).toEqual(hex(expected));
  });

  it('deriveSessionKeys gives the SRTP session keys with a 20-byte auth key', () => {
    const k = deriveSessionKeys({ tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', key: masterKey, salt: masterSalt }, 'rtp');
    expect(k.encKey).toEqual(hex('C61E7A93744F39EE10734AFE3FF7A087'));
    expect(k.salt).toEqual(hex('30CBBC08863D8C85D49DB34A9AE1'));
    expect(k.authKey).toEqual(hex('CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4'));
  });

  it('deriveSessionKeys gives the SRTCP keys from labels 3, 4, 5', () => {
    // The SRTCP values match those pion/dtls's KDF test expects for the same master key.
    const k = deriveSessionKeys({ tag: 1, suite: 'AES_CM_128_HMAC_SHA1_32', key: masterKey, salt: masterSalt }, 'rtcp');
    expect(k.encKey).toEqual(hex('4C1AA45A81F73D61C800BBB00FBB1EAA'));
    expect(k.salt).toEqual(hex('9581C7AD87B3E530BF3E4454A8B3'));
    expect(k.authKey).toEqual(aesCmPrf(masterKey, masterSalt, KdfLabel.RtcpAuthentication, 20));
    expect(k.authKey).toHaveLength(20);
  });

  it('for AES-GCM, uses the 12-byte salt times 2^16 and derives a 12-byte session salt and no auth key', () => {
    const salt12 = masterSalt.subarray(0, 12);
    const k = deriveSessionKeys({ tag: 1, suite: 'AEAD_AES_128_GCM', key: masterKey, salt: salt12 }, 'rtp');
    const padded = Buffer.concat([salt12, Buffer.alloc(2)]);
    expect(k.encKey).toEqual(aesCmPrf(masterKey, padded, KdfLabel.RtpEncryption, 16));
    expect(k.salt).toEqual(aesCmPrf(masterKey, padded, KdfLabel.RtpSalt, 14).subarray(0, 12));
    expect(k.authKey).toHaveLength(0);
  });

  it('rejects keys and salts of the wrong length for the suite', () => {
    expect(() => deriveSessionKeys({ tag: 1, suite: 'AEAD_AES_128_GCM', key: masterKey, salt: masterSalt }, 'rtp')).toThrow(/salt/);
    expect(() => deriveSessionKeys({ tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', key: masterSalt, salt: masterSalt }, 'rtp')).toThrow(/key/);
  });
});
