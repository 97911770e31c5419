import { describe, expect, it } from 'vitest';
import { SRTP_SUITES, type SrtpSuite } from '../../src/srtp/SrtpSuite.js';
import { formatSdesCrypto, generateSdesKey, parseCryptoAttribute, parseSdesCrypto, parseSdesKey, suiteFromName } from '../../src/sdp/sdesCrypto.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { expectSdpError, keyB64 } from './fixtures.js';

const reason = (value: string): string => {
  const r = parseSdesCrypto(value);
  if (r.ok) throw new Error('expected a refusal');
  return r.reason;
};

describe('a=crypto parsing', () => {
  it('reads tag, suite, key and salt of an AES-CM line', () => {
    const material = Buffer.from(Array.from({ length: 30 }, (_, i) => i));
    const key = parseSdesKey(`7 AES_CM_128_HMAC_SHA1_80 inline:${material.toString('base64')}`);
    expect(key.tag).toBe(7);
    expect(key.suite).toBe('AES_CM_128_HMAC_SHA1_80');
    expect([...key.key]).toEqual([...material.subarray(0, 16)]);
    expect([...key.salt]).toEqual([...material.subarray(16)]);
  });

  it('reads an AEAD_AES_128_GCM line (12-byte salt, padded base64)', () => {
    const key = parseSdesKey(`1 AEAD_AES_128_GCM inline:${keyB64(9, 28)}`);
    expect(key.key.length).toBe(16);
    expect(key.salt.length).toBe(12);
  });

  it('accepts the DTLS-SRTP spellings ffmpeg writes and reports the spelling', () => {
    const r = parseSdesCrypto(`1 SRTP_AES128_CM_HMAC_SHA1_32 inline:${keyB64(1)}`);
    expect(r.ok && r.key.suite).toBe('AES_CM_128_HMAC_SHA1_32');
    expect(r.ok && r.suiteName).toBe('SRTP_AES128_CM_HMAC_SHA1_32');
    expect(suiteFromName('F8_128_HMAC_SHA1_80')).toBeUndefined();
    expect(suiteFromName('toString')).toBeUndefined();
  });

  it('accepts and ignores a lifetime, a zero-length MKI and harmless session parameters', () => {
    expect(parseSdesCrypto(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)}|2^31`).ok).toBe(true);
    expect(parseSdesCrypto(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)}|1048576`).ok).toBe(true);
    expect(parseSdesCrypto(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)}|2^20|1:0`).ok).toBe(true);
    expect(parseSdesCrypto(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)} KDR=0 WSH=128 FEC_ORDER=FEC_SRTP`).ok).toBe(true);
  });

  it('refuses what we cannot honour, naming why', () => {
    expect(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)}|2^31|1:4`)).toMatch(/MKI 1:4 is not supported/);
    expect(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)}|1:4;inline:${keyB64(2)}|2:4`)).toMatch(/several master keys/);
    expect(reason(`1 AES_256_CM_HMAC_SHA1_80 inline:${keyB64(1, 46)}`)).toMatch(/suite AES_256_CM_HMAC_SHA1_80 is not supported/);
    expect(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1, 29)}`)).toMatch(/needs 30 bytes.*got 29/);
    expect(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:not*base64`)).toMatch(/base64/);
    expect(reason(`1 AES_CM_128_HMAC_SHA1_80 uri:https://example.com/key`)).toMatch(/not inline/);
    expect(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)} UNENCRYPTED_SRTP`)).toMatch(/UNENCRYPTED_SRTP is not supported/);
    expect(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)} KDR=24`)).toMatch(/key derivation rate/);
    expect(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)} FOO=1`)).toMatch(/unknown session parameter/);
    expect(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)}|2^31|2^20`)).toMatch(/malformed/);
    expect(reason('x AES_CM_128_HMAC_SHA1_80')).toMatch(/malformed a=crypto/);
  });

  it('parseSdesKey throws InvalidArgumentError on field sdp', () => {
    expectSdpError(() => parseSdesKey(`1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)}|1:4`), /cannot use: MKI/);
    expectSdpError(() => parseCryptoAttribute('garbage'), /malformed a=crypto line "garbage"/);
  });
});

describe('a=crypto formatting and key generation', () => {
  it.each(Object.keys(SRTP_SUITES) as SrtpSuite[])('generates and round-trips a %s key', (suite) => {
    const key = generateSdesKey(suite, 3);
    expect(key.key.length).toBe(SRTP_SUITES[suite].keyLength);
    expect(key.salt.length).toBe(SRTP_SUITES[suite].saltLength);
    const text = formatSdesCrypto(key);
    expect(text).toMatch(new RegExp(`^3 ${suite} inline:[A-Za-z0-9+/]+=*$`));
    const back = parseSdesKey(text);
    expect(back.key.equals(key.key) && back.salt.equals(key.salt)).toBe(true);
  });

  it('writes an alias spelling when asked, and refuses one that names another suite', () => {
    const key = generateSdesKey('AES_CM_128_HMAC_SHA1_80', 1);
    expect(formatSdesCrypto(key, 'SRTP_AES128_CM_HMAC_SHA1_80')).toMatch(/^1 SRTP_AES128_CM_HMAC_SHA1_80 inline:/);
    expectInvalidArgument(() => formatSdesCrypto(key, 'AES_CM_128_HMAC_SHA1_32'), 'suiteName');
  });

  it('generates a different key each time and validates its arguments', () => {
    const a = generateSdesKey('AES_CM_128_HMAC_SHA1_80', 1);
    const b = generateSdesKey('AES_CM_128_HMAC_SHA1_80', 1);
    expect(a.key.equals(b.key)).toBe(false);
    expectInvalidArgument(() => generateSdesKey('NULL_HMAC' as SrtpSuite, 1), 'suite');
    expectInvalidArgument(() => generateSdesKey('AEAD_AES_128_GCM', -1), 'tag');
    expectInvalidArgument(() => formatSdesCrypto({ ...a, salt: Buffer.alloc(3) }), 'key');
  });
});
