// RFC 4568 SDES a=crypto values: "1 AES_CM_128_HMAC_SHA1_80 inline:<base64 key||salt>[|2^31][|1:4]".
//
// What we honour, and what makes a line one we cannot use (the answerer then tries the next):
// - suites: those of SrtpSuite, also under their DTLS-SRTP spellings (ffmpeg writes
//   SRTP_AES128_CM_HMAC_SHA1_80 into its SDP); the answer echoes the offered spelling.
// - one master key per line. A lifetime (2^n or decimal) is checked for syntax and ignored: we
//   never re-key (2^31 packets is 497 days of 20 ms audio).
// - MKI: absent, or of length 0 (no bytes on the wire) and ignored. An MKI of 1..128 bytes is
//   refused: the SRTP layer does not strip or insert MKI fields.
// - session parameters: KDR=0, WSH=<n>, FEC_ORDER=<x> are accepted and ignored. KDR other than
//   0, UNENCRYPTED_SRTP/SRTCP, UNAUTHENTICATED_SRTP, FEC_KEY and unknown ones are refused.
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import { SRTP_SUITES, type SdesKey, type SrtpSuite } from '../srtp/SrtpSuite.js';

const SUITE_NAMES: Record<string, SrtpSuite> = {
  AES_CM_128_HMAC_SHA1_80: 'AES_CM_128_HMAC_SHA1_80',
  AES_CM_128_HMAC_SHA1_32: 'AES_CM_128_HMAC_SHA1_32',
  AEAD_AES_128_GCM: 'AEAD_AES_128_GCM',
  SRTP_AES128_CM_HMAC_SHA1_80: 'AES_CM_128_HMAC_SHA1_80',
  SRTP_AES128_CM_HMAC_SHA1_32: 'AES_CM_128_HMAC_SHA1_32',
  SRTP_AEAD_AES_128_GCM: 'AEAD_AES_128_GCM',
};

/** The SrtpSuite an a=crypto suite name denotes (standard or DTLS-SRTP spelling), if we support it. */
export function suiteFromName(name: string): SrtpSuite | undefined {
  return Object.hasOwn(SUITE_NAMES, name) ? SUITE_NAMES[name] : undefined;
}

/** An a=crypto value split into its fields, without judging whether we can honour it. */
export interface CryptoAttribute {
  tag: number;
  suiteName: string;
  keyParams: string[];
  sessionParams: string[];
}

const CRYPTO_RE = /^(\d{1,9})[ \t]+(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/;

/** Splits an a=crypto value (the text after "a=crypto:"). Throws InvalidArgumentError('sdp'). */
export function parseCryptoAttribute(value: string): CryptoAttribute {
  const m = CRYPTO_RE.exec(value.trim());
  if (m === null) throw new InvalidArgumentError('sdp', `has a malformed a=crypto line "${value}"`);
  const sessionParams = m[4] === undefined ? [] : m[4].trim().split(/[ \t]+/).filter((s) => s.length > 0);
  return { tag: Number(m[1]), suiteName: m[2], keyParams: m[3].split(';'), sessionParams };
}

export type SdesParseResult =
  | { ok: true; key: SdesKey; suiteName: string }
  | { ok: false; tag?: number; suiteName?: string; reason: string };

/** Parses an a=crypto value and decides whether we can honour it. Never throws. */
export function parseSdesCrypto(value: string): SdesParseResult {
  let attr: CryptoAttribute;
  try {
    attr = parseCryptoAttribute(value);
  } catch (e) {
    return { ok: false, reason: (e as Error).message.replace(/^sdp has /, '') };
  }
  const { tag, suiteName } = attr;
  const fail = (reason: string): SdesParseResult => ({ ok: false, tag, suiteName, reason });
  const suite = suiteFromName(suiteName);
  if (suite === undefined) return fail(`suite ${suiteName} is not supported`);
  if (attr.keyParams.length !== 1) return fail('several master keys (MKI) are not supported');
  const keyReason = checkKeyParam(attr.keyParams[0]);
  if (typeof keyReason === 'string') return fail(keyReason);
  const info = SRTP_SUITES[suite];
  const material = keyReason;
  if (material.length !== info.keyLength + info.saltLength) {
    return fail(`${suiteName} needs ${info.keyLength + info.saltLength} bytes of key and salt, got ${material.length}`);
  }
  for (const p of attr.sessionParams) {
    const reason = checkSessionParam(p);
    if (reason !== undefined) return fail(reason);
  }
  const key: SdesKey = {
    tag,
    suite,
    key: Buffer.from(material.subarray(0, info.keyLength)),
    salt: Buffer.from(material.subarray(info.keyLength)),
  };
  return { ok: true, key, suiteName };
}

/** Like parseSdesCrypto, but throws InvalidArgumentError('sdp', reason) for a line we cannot honour. */
export function parseSdesKey(value: string): SdesKey {
  const r = parseSdesCrypto(value);
  if (!r.ok) throw new InvalidArgumentError('sdp', `has an a=crypto line we cannot use: ${r.reason}`);
  return r.key;
}

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const LIFETIME_RE = /^(?:2\^(\d{1,2})|(\d{1,20}))$/;
const MKI_RE = /^(\d{1,39}):(\d{1,3})$/;

/** Returns the decoded key||salt, or the reason the key parameter cannot be used. */
function checkKeyParam(param: string): Buffer | string {
  const colon = param.indexOf(':');
  if (colon < 0 || param.slice(0, colon).toLowerCase() !== 'inline') {
    return `key method of "${param}" is not inline`;
  }
  const [keySalt, ...extras] = param.slice(colon + 1).split('|');
  if (!BASE64_RE.test(keySalt) || keySalt.replace(/=+$/, '').length % 4 === 1) {
    return 'key is not valid base64';
  }
  if (extras.length > 2) return `key parameter "${param}" has too many fields`;
  let sawMki = false;
  for (let i = 0; i < extras.length; i++) {
    const field = extras[i];
    const mki = MKI_RE.exec(field);
    if (mki !== null) {
      const length = Number(mki[2]);
      if (length > 128) return `MKI length ${length} is out of range`;
      if (length > 0) return `MKI ${field} is not supported (no MKI on our SRTP packets)`;
      sawMki = true;
      continue;
    }
    const lifetime = LIFETIME_RE.exec(field);
    if (lifetime === null || sawMki || i > 0) return `key lifetime/MKI "${field}" is malformed`;
  }
  return Buffer.from(keySalt, 'base64');
}

function checkSessionParam(param: string): string | undefined {
  const eq = param.indexOf('=');
  const name = (eq < 0 ? param : param.slice(0, eq)).toUpperCase();
  const val = eq < 0 ? '' : param.slice(eq + 1);
  switch (name) {
    case 'KDR':
      return /^0+$/.test(val) ? undefined : `key derivation rate ${param} is not supported`;
    case 'WSH':
      return /^\d{1,10}$/.test(val) ? undefined : `session parameter ${param} is malformed`;
    case 'FEC_ORDER':
      return undefined;
    case 'UNENCRYPTED_SRTP':
    case 'UNENCRYPTED_SRTCP':
    case 'UNAUTHENTICATED_SRTP':
    case 'FEC_KEY':
      return `session parameter ${name} is not supported`;
    default:
      return `unknown session parameter ${param}`;
  }
}

/** Formats an a=crypto value: "<tag> <suite> inline:<base64 key||salt>". */
export function formatSdesCrypto(key: SdesKey, suiteName: string = key.suite): string {
  if (suiteFromName(suiteName) !== key.suite) {
    throw new InvalidArgumentError('suiteName', `${suiteName} does not name suite ${key.suite}`);
  }
  const info = SRTP_SUITES[key.suite];
  if (key.key.length !== info.keyLength || key.salt.length !== info.saltLength) {
    throw new InvalidArgumentError('key', `must hold ${info.keyLength} key and ${info.saltLength} salt bytes for ${key.suite}`);
  }
  if (!Number.isInteger(key.tag) || key.tag < 0 || key.tag > 999_999_999) {
    throw new InvalidArgumentError('tag', 'must be an integer of at most 9 digits');
  }
  return `${key.tag} ${suiteName} inline:${Buffer.concat([key.key, key.salt]).toString('base64')}`;
}

/** A fresh random master key and salt for `suite`, under crypto tag `tag`. */
export function generateSdesKey(suite: SrtpSuite, tag: number): SdesKey {
  if (!Object.hasOwn(SRTP_SUITES, suite)) throw new InvalidArgumentError('suite', `${String(suite)} is not a supported SRTP suite`);
  if (!Number.isInteger(tag) || tag < 0 || tag > 999_999_999) {
    throw new InvalidArgumentError('tag', 'must be an integer of at most 9 digits');
  }
  const info = SRTP_SUITES[suite];
  return { tag, suite, key: randomBytes(info.keyLength), salt: randomBytes(info.saltLength) };
}
