// SRTP and SRTCP (RFC 3711) with AES-CM + HMAC-SHA1 and AES-GCM (RFC 7714), for one direction of
// one SDES key. Per-SSRC state (rollover counter, highest index, replay window) is created lazily,
// inbound only once a packet has authenticated, and bounded: a remote party chooses SSRCs.
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { InvalidArgumentError, InvalidStateError } from '../errors.js';
import { deriveSessionKeys, type SessionKeys } from './keyDerivation.js';
import { ReplayWindow } from './ReplayWindow.js';
import { estimateRtpIndex, MAX_RTP_INDEX, SsrcTable } from './srtpStreams.js';
import { SRTP_SUITES, type SdesKey, type SrtpSuite, type SrtpSuiteInfo } from './SrtpSuite.js';

export type SrtpError = 'truncated' | 'auth' | 'replay' | 'too-old' | 'bad-rtcp';

export interface SrtpContextOptions {
  /** Most SSRCs tracked per protocol and direction; the least recently used is dropped. Default 16. */
  maxSsrcs?: number;
  /** Replay window width in packets (multiple of 32, at least 64). Default 128. */
  replayWindow?: number;
}

/** Session keys given directly (as in RFC 7714 §16's vectors) instead of derived from a master key. */
export interface SrtpSessionKeySet {
  suite: SrtpSuite;
  rtp: SessionKeys;
  rtcp: SessionKeys;
}

const SRTCP_INDEX_MASK = 0x7fffffff;
const E_BIT = 0x80000000;
const GCM_TAG = 16;

interface Keys {
  enc: KeyObject;
  auth: KeyObject | null;
  salt: Buffer;
}

/** Length of the RTP header (fixed part, CSRCs, extension) if it fits in `end` bytes, else -1. */
function rtpHeaderLength(p: Buffer, end: number): number {
  if (end < 12) return -1;
  let n = 12 + (p[0] & 0x0f) * 4;
  if (p[0] & 0x10) {
    if (n + 4 > end) return -1;
    n += 4 + p.readUInt16BE(n + 2) * 4;
  }
  return n <= end ? n : -1;
}

function toKeys(k: SessionKeys): Keys {
  return { enc: createSecretKey(k.encKey), auth: k.authKey.length > 0 ? createSecretKey(k.authKey) : null, salt: Buffer.from(k.salt) };
}

function view(packet: Uint8Array, len: number | undefined): Buffer | null {
  const n = len ?? packet.length;
  if (!Number.isInteger(n) || n < 0 || n > packet.length) return null;
  return Buffer.from(packet.buffer, packet.byteOffset, n);
}

export class SrtpContext {
  readonly suite: SrtpSuite;
  readonly #info: SrtpSuiteInfo;
  readonly #rtp: Keys;
  readonly #rtcp: Keys;
  readonly #windowSize: number;
  readonly #rtpIn: SsrcTable<ReplayWindow>;
  readonly #rtpOut: SsrcTable<{ highest: number }>;
  readonly #rtcpIn: SsrcTable<ReplayWindow>;
  readonly #rtcpOut: SsrcTable<{ next: number }>;
  /** Scratch: the counter block before the salt (CM uses all 16 bytes, GCM bytes 2..13), and the ROC. */
  readonly #block = Buffer.alloc(16);
  readonly #word = Buffer.alloc(4);

  constructor(key: SdesKey | SrtpSessionKeySet, options: SrtpContextOptions = {}) {
    const info = SRTP_SUITES[key.suite];
    if (!info) throw new InvalidArgumentError('suite', `is not a known SRTP suite: ${String(key.suite)}`);
    this.suite = key.suite;
    this.#info = info;
    const set = 'rtp' in key ? key : { rtp: deriveSessionKeys(key, 'rtp'), rtcp: deriveSessionKeys(key, 'rtcp') };
    this.#rtp = toKeys(set.rtp);
    this.#rtcp = toKeys(set.rtcp);
    const maxSsrcs = options.maxSsrcs ?? 16;
    if (!Number.isInteger(maxSsrcs) || maxSsrcs < 1) throw new InvalidArgumentError('maxSsrcs', 'must be a positive integer');
    this.#windowSize = options.replayWindow ?? 128;
    new ReplayWindow(this.#windowSize); // validates the size up front
    this.#rtpIn = new SsrcTable(maxSsrcs);
    this.#rtpOut = new SsrcTable(maxSsrcs);
    this.#rtcpIn = new SsrcTable(maxSsrcs);
    this.#rtcpOut = new SsrcTable(maxSsrcs);
  }

  /** SSRCs with inbound SRTP state (for tests and stats). */
  get inboundRtpSsrcs(): number {
    return this.#rtpIn.size;
  }

  /** plain RTP (header+payload) -> SRTP packet (new Buffer) */
  protectRtp(packet: Uint8Array, len?: number): Buffer {
    const p = view(packet, len);
    const hdr = p ? rtpHeaderLength(p, p.length) : -1;
    if (!p || hdr < 0) throw new InvalidArgumentError('packet', 'is not a complete RTP packet');
    const seq = p.readUInt16BE(2);
    const ssrc = p.readUInt32BE(8);
    let state = this.#rtpOut.get(ssrc);
    if (!state) state = { highest: -1 };
    this.#rtpOut.use(ssrc, state);
    let index = estimateRtpIndex(state.highest, seq);
    if (index < 0) index += 65536;
    if (index > MAX_RTP_INDEX) throw new InvalidStateError('SRTP packet index space exhausted: rekey');
    if (index > state.highest) state.highest = index;
    const tagLen = this.#info.rtpTagLength;
    const out = Buffer.allocUnsafe(p.length + tagLen);
    p.copy(out, 0, 0, hdr);
    if (this.#info.aead) {
      const c = createCipheriv('aes-128-gcm', this.#rtp.enc, this.#iv(this.#rtp.salt, ssrc, index), { authTagLength: GCM_TAG });
      c.setAAD(p.subarray(0, hdr));
      c.update(p.subarray(hdr)).copy(out, hdr);
      c.final();
      c.getAuthTag().copy(out, p.length);
    } else {
      createCipheriv('aes-128-ctr', this.#rtp.enc, this.#iv(this.#rtp.salt, ssrc, index)).update(p.subarray(hdr)).copy(out, hdr);
      this.#rtpMac(out.subarray(0, p.length), index).copy(out, p.length, 0, tagLen);
    }
    return out;
  }

  /** SRTP -> plain RTP, or an error code (never throws for bad packets) */
  unprotectRtp(packet: Uint8Array, len?: number): Buffer | SrtpError {
    const p = view(packet, len);
    if (!p) return 'truncated';
    const tagLen = this.#info.rtpTagLength;
    const end = p.length - tagLen;
    const hdr = rtpHeaderLength(p, end);
    if (hdr < 0) return 'truncated';
    const seq = p.readUInt16BE(2);
    const ssrc = p.readUInt32BE(8);
    let window = this.#rtpIn.get(ssrc);
    const index = estimateRtpIndex(window ? window.highest : -1, seq);
    if (index < 0 || index > MAX_RTP_INDEX) return 'too-old';
    const verdict = window ? window.check(index) : 'ok';
    if (verdict !== 'ok') return verdict;
    const out = Buffer.allocUnsafe(end);
    p.copy(out, 0, 0, hdr);
    if (this.#info.aead) {
      const d = createDecipheriv('aes-128-gcm', this.#rtp.enc, this.#iv(this.#rtp.salt, ssrc, index), { authTagLength: GCM_TAG });
      d.setAAD(p.subarray(0, hdr));
      d.setAuthTag(p.subarray(end));
      const plain = d.update(p.subarray(hdr, end));
      if (!finalOk(d)) return 'auth';
      plain.copy(out, hdr);
    } else {
      const mac = this.#rtpMac(p.subarray(0, end), index);
      if (!timingSafeEqual(mac.subarray(0, tagLen), p.subarray(end))) return 'auth';
      createDecipheriv('aes-128-ctr', this.#rtp.enc, this.#iv(this.#rtp.salt, ssrc, index)).update(p.subarray(hdr, end)).copy(out, hdr);
    }
    window ??= new ReplayWindow(this.#windowSize);
    window.commit(index);
    this.#rtpIn.use(ssrc, window);
    return out;
  }

  protectRtcp(packet: Uint8Array, len?: number): Buffer {
    const p = view(packet, len);
    if (!p || p.length < 8) throw new InvalidArgumentError('packet', 'is not a complete RTCP packet');
    const ssrc = p.readUInt32BE(4);
    let state = this.#rtcpOut.get(ssrc);
    if (!state) state = { next: 0 };
    this.#rtcpOut.use(ssrc, state);
    const index = state.next;
    // RFC 3711 §9.2: the key must be replaced before the 31-bit index wraps; we wrap rather than stop.
    state.next = (index + 1) & SRTCP_INDEX_MASK;
    const tagLen = this.#info.rtcpTagLength;
    const out = Buffer.allocUnsafe(p.length + tagLen + 4);
    p.copy(out, 0, 0, 8);
    const body = p.subarray(8);
    if (this.#info.aead) {
      out.writeUInt32BE((E_BIT | index) >>> 0, p.length + GCM_TAG);
      const c = createCipheriv('aes-128-gcm', this.#rtcp.enc, this.#iv(this.#rtcp.salt, ssrc, index), { authTagLength: GCM_TAG });
      c.setAAD(Buffer.concat([p.subarray(0, 8), out.subarray(p.length + GCM_TAG)]));
      c.update(body).copy(out, 8);
      c.final();
      c.getAuthTag().copy(out, p.length);
    } else {
      createCipheriv('aes-128-ctr', this.#rtcp.enc, this.#iv(this.#rtcp.salt, ssrc, index)).update(body).copy(out, 8);
      out.writeUInt32BE((E_BIT | index) >>> 0, p.length);
      hmac(this.#rtcp.auth, out.subarray(0, p.length + 4)).copy(out, p.length + 4, 0, tagLen);
    }
    return out;
  }

  unprotectRtcp(packet: Uint8Array, len?: number): Buffer | SrtpError {
    const p = view(packet, len);
    if (!p) return 'truncated';
    const tagLen = this.#info.rtcpTagLength;
    if (p.length < 8 + 4 + tagLen) return p.length >= 2 && !isRtcpHeader(p) ? 'bad-rtcp' : 'truncated';
    if (!isRtcpHeader(p)) return 'bad-rtcp';
    const aead = this.#info.aead;
    // AES-CM: ... || E||index || tag.  AES-GCM: ... || tag || E||index (RFC 7714 §9).
    const indexAt = aead ? p.length - 4 : p.length - tagLen - 4;
    const end = aead ? indexAt - GCM_TAG : indexAt; // end of the (possibly encrypted) RTCP
    const word = p.readUInt32BE(indexAt);
    const encrypted = word >= E_BIT;
    const index = word & SRTCP_INDEX_MASK;
    const ssrc = p.readUInt32BE(4);
    let window = this.#rtcpIn.get(ssrc);
    const verdict = window ? window.check(index) : 'ok';
    if (verdict !== 'ok') return verdict;
    const out = Buffer.allocUnsafe(end);
    p.copy(out, 0, 0, encrypted ? 8 : end);
    if (aead) {
      const d = createDecipheriv('aes-128-gcm', this.#rtcp.enc, this.#iv(this.#rtcp.salt, ssrc, index), { authTagLength: GCM_TAG });
      d.setAAD(Buffer.concat([p.subarray(0, encrypted ? 8 : end), p.subarray(indexAt, indexAt + 4)]));
      d.setAuthTag(p.subarray(end, indexAt));
      const plain = encrypted ? d.update(p.subarray(8, end)) : null;
      if (!finalOk(d)) return 'auth';
      plain?.copy(out, 8);
    } else {
      const mac = hmac(this.#rtcp.auth, p.subarray(0, indexAt + 4));
      if (!timingSafeEqual(mac.subarray(0, tagLen), p.subarray(indexAt + 4))) return 'auth';
      if (encrypted) createDecipheriv('aes-128-ctr', this.#rtcp.enc, this.#iv(this.#rtcp.salt, ssrc, index)).update(p.subarray(8, end)).copy(out, 8);
    }
    window ??= new ReplayWindow(this.#windowSize);
    window.commit(index);
    this.#rtcpIn.use(ssrc, window);
    return out;
  }

  /**
   * The IV: (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16) for AES-CM (RFC 3711 §4.1.1), and for
   * AES-GCM the same layout two bytes shorter at each end: 00 00 || SSRC || index(48) XOR salt (RFC 7714 §8.1, §9.1).
   */
  #iv(salt: Buffer, ssrc: number, index: number): Buffer {
    const b = this.#block;
    b.fill(0);
    b.writeUInt32BE(ssrc, 4);
    b.writeUIntBE(index, 8, 6);
    const iv = this.#info.aead ? b.subarray(2, 14) : b;
    for (let i = 0; i < salt.length; i++) iv[i] ^= salt[i];
    return iv;
  }

  /** HMAC-SHA1 over the authenticated portion followed by the ROC (RFC 3711 §4.2). */
  #rtpMac(authenticated: Buffer, index: number): Buffer {
    this.#word.writeUInt32BE(Math.floor(index / 65536));
    return createHmac('sha1', this.#rtp.auth as KeyObject).update(authenticated).update(this.#word).digest();
  }
}

function hmac(key: KeyObject | null, data: Buffer): Buffer {
  return createHmac('sha1', key as KeyObject).update(data).digest();
}

function finalOk(d: { final(): Buffer }): boolean {
  try {
    d.final();
    return true;
  } catch {
    return false;
  }
}

/** RTCP version 2 and a packet type in 192..223 (RFC 5761 §4). */
function isRtcpHeader(p: Buffer): boolean {
  return p[0] >> 6 === 2 && p[1] >= 192 && p[1] <= 223;
}
