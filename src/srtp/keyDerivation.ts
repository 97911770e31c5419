// RFC 3711 §4.3: the AES-CM pseudo-random function and the session keys derived with it, at key
// derivation rate 0 (the only rate SDES and DTLS-SRTP use). RFC 7714 §11 (errata 4938) uses the same
// KDF for AES-GCM, its 96-bit master salt multiplied by 2^16 to fill the 112 bits the PRF expects.
import { createCipheriv } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import { SRTP_SUITES, type SdesKey } from './SrtpSuite.js';

/** The key derivation labels of RFC 3711 §4.3.1 (and §4.3.2 for SRTCP). */
export const KdfLabel = {
  RtpEncryption: 0,
  RtpAuthentication: 1,
  RtpSalt: 2,
  RtcpEncryption: 3,
  RtcpAuthentication: 4,
  RtcpSalt: 5,
} as const;
export type KdfLabel = (typeof KdfLabel)[keyof typeof KdfLabel];

/** HMAC-SHA1 session authentication key length (n_a = 160 bits, RFC 3711 §8.2). */
export const AUTH_KEY_LENGTH = 20;
/** The PRF's input width: a 112-bit salt-sized value x, shifted left 16 bits into the AES counter. */
const PRF_SALT_LENGTH = 14;

/** The session keys of one protocol (SRTP or SRTCP) in one direction. */
export interface SessionKeys {
  /** Session encryption key k_e (16 bytes). */
  encKey: Buffer;
  /** Session authentication key k_a (20 bytes; empty for AEAD suites, which need none). */
  authKey: Buffer;
  /** Session salt k_s (14 bytes for AES-CM, 12 for AES-GCM). */
  salt: Buffer;
}

/**
 * AES-128 in counter mode from a full 16-byte initial counter block: the keystream XORed into
 * `data` (or the raw keystream when `data` is a length). The counter block increments as one
 * 128-bit big-endian integer, which for SRTP's IVs (low 16 bits zero) is the RFC 3711 §4.1.1 AES-CM.
 */
export function aesCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array | number): Buffer {
  const input = typeof data === 'number' ? Buffer.alloc(data) : data;
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  return cipher.update(input);
}

/**
 * PRF_n(k_master, x) of RFC 3711 §4.3.3, with x = (label || index DIV kdr) XOR master_salt and the
 * index term zero (kdr = 0). A salt shorter than 14 bytes is left-aligned (times 2^16, RFC 7714).
 */
export function aesCmPrf(masterKey: Uint8Array, masterSalt: Uint8Array, label: KdfLabel, length: number): Buffer {
  if (masterKey.length !== 16) throw new InvalidArgumentError('masterKey', 'must be 16 bytes');
  if (masterSalt.length > PRF_SALT_LENGTH) throw new InvalidArgumentError('masterSalt', 'must be at most 14 bytes');
  const iv = Buffer.alloc(16);
  iv.set(masterSalt, 0);
  // key_id = label || 48-bit (index DIV kdr), right-aligned against the 14-byte x: the label is byte 7.
  iv[7] ^= label;
  return aesCtr(masterKey, iv, length);
}

/** The session keys for SRTP (labels 0,1,2) or SRTCP (labels 3,4,5) from an SDES master key. */
export function deriveSessionKeys(master: SdesKey, protocol: 'rtp' | 'rtcp'): SessionKeys {
  const info = SRTP_SUITES[master.suite];
  if (!info) throw new InvalidArgumentError('suite', `is not a known SRTP suite: ${String(master.suite)}`);
  if (master.key.length !== info.keyLength) throw new InvalidArgumentError('key', `must be ${info.keyLength} bytes for ${master.suite}`);
  if (master.salt.length !== info.saltLength) throw new InvalidArgumentError('salt', `must be ${info.saltLength} bytes for ${master.suite}`);
  const base = protocol === 'rtp' ? KdfLabel.RtpEncryption : KdfLabel.RtcpEncryption;
  return {
    encKey: aesCmPrf(master.key, master.salt, base as KdfLabel, info.keyLength),
    authKey: info.aead ? Buffer.alloc(0) : aesCmPrf(master.key, master.salt, (base + 1) as KdfLabel, AUTH_KEY_LENGTH),
    salt: aesCmPrf(master.key, master.salt, (base + 2) as KdfLabel, info.saltLength),
  };
}
