// Plain RTP/RTCP packets and keys for the SRTP tests.
import { randomBytes } from 'node:crypto';
import { SRTP_SUITES, type SdesKey, type SrtpSuite } from '../../src/srtp/SrtpSuite.js';

export const ALL_SUITES: SrtpSuite[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32', 'AEAD_AES_128_GCM'];

export function randomKey(suite: SrtpSuite): SdesKey {
  const info = SRTP_SUITES[suite];
  return { tag: 1, suite, key: randomBytes(info.keyLength), salt: randomBytes(info.saltLength) };
}

export interface RtpOptions {
  seq: number;
  ssrc?: number;
  timestamp?: number;
  csrcs?: number[];
  /** Header extension words (profile 0xBEDE). */
  extensionWords?: number;
  payloadLength?: number;
}

export function rtpPacket(o: RtpOptions): Buffer {
  const csrcs = o.csrcs ?? [];
  const ext = o.extensionWords ?? -1;
  const payloadLength = o.payloadLength ?? 160;
  const hdr = 12 + csrcs.length * 4 + (ext >= 0 ? 4 + ext * 4 : 0);
  const p = Buffer.alloc(hdr + payloadLength);
  p[0] = 0x80 | (ext >= 0 ? 0x10 : 0) | csrcs.length;
  p[1] = 111;
  p.writeUInt16BE(o.seq & 0xffff, 2);
  p.writeUInt32BE((o.timestamp ?? o.seq * 160) >>> 0, 4);
  p.writeUInt32BE(o.ssrc ?? 0x11223344, 8);
  csrcs.forEach((c, i) => p.writeUInt32BE(c, 12 + i * 4));
  if (ext >= 0) {
    const at = 12 + csrcs.length * 4;
    p.writeUInt16BE(0xbede, at);
    p.writeUInt16BE(ext, at + 2);
    for (let i = 0; i < ext * 4; i++) p[at + 4 + i] = 0x10 + i;
  }
  for (let i = 0; i < payloadLength; i++) p[hdr + i] = (i * 7 + o.seq) & 0xff;
  return p;
}

/** A sender report (no report blocks) followed by an SDES CNAME chunk: a compound RTCP packet. */
export function rtcpPacket(ssrc = 0x11223344, ntp = 1): Buffer {
  const sr = Buffer.alloc(28);
  sr[0] = 0x80;
  sr[1] = 200;
  sr.writeUInt16BE(6, 2);
  sr.writeUInt32BE(ssrc, 4);
  sr.writeUInt32BE(ntp, 8);
  sr.writeUInt32BE(0x12345678, 12);
  sr.writeUInt32BE(160 * ntp, 16);
  sr.writeUInt32BE(ntp, 20);
  sr.writeUInt32BE(ntp * 160, 24);
  const cname = Buffer.from('roomtone@test');
  const sdes = Buffer.alloc(4 + 4 + Math.ceil((2 + cname.length + 1) / 4) * 4);
  sdes[0] = 0x81;
  sdes[1] = 202;
  sdes.writeUInt16BE(sdes.length / 4 - 1, 2);
  sdes.writeUInt32BE(ssrc, 4);
  sdes[8] = 1;
  sdes[9] = cname.length;
  cname.copy(sdes, 10);
  return Buffer.concat([sr, sdes]);
}
