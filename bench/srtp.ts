// SRTP protect/unprotect of one 20 ms packet (12-byte header + 160-byte payload) per suite.
import { randomBytes } from 'node:crypto';
import type { Bench } from 'tinybench';
import { SrtpContext } from '../src/srtp/SrtpContext.js';
import { SRTP_SUITES, type SdesKey, type SrtpSuite } from '../src/srtp/SrtpSuite.js';

const RING = 4096;

function rtp(seq: number): Buffer {
  const p = randomBytes(12 + 160);
  p[0] = 0x80;
  p[1] = 0;
  p.writeUInt16BE(seq, 2);
  p.writeUInt32BE(0x1234abcd, 8);
  return p;
}

/**
 * Unprotect needs a fresh packet every time (replay protection rejects a repeat early), so it
 * cycles through a ring of pre-protected packets and starts a new receiving context per lap.
 */
export function addSrtpCases(bench: Bench): { name: string }[] {
  const cases: { name: string }[] = [];
  const suites: [SrtpSuite, string][] = [
    ['AES_CM_128_HMAC_SHA1_80', 'sha1_80'],
    ['AEAD_AES_128_GCM', 'gcm'],
  ];
  for (const [suite, label] of suites) {
    const info = SRTP_SUITES[suite];
    const key: SdesKey = { tag: 1, suite, key: randomBytes(info.keyLength), salt: randomBytes(info.saltLength) };
    const tx = new SrtpContext(key);
    const plain = rtp(1);
    const protectName = `srtp protect ${label} 160B`;
    bench.add(protectName, () => {
      tx.protectRtp(plain);
    });
    const sender = new SrtpContext(key);
    const ring = Array.from({ length: RING }, (_, i) => sender.protectRtp(rtp(i)));
    let rx = new SrtpContext(key);
    let next = 0;
    const unprotectName = `srtp unprotect ${label} 160B`;
    bench.add(unprotectName, () => {
      if (next === RING) {
        next = 0;
        rx = new SrtpContext(key);
      }
      if (typeof rx.unprotectRtp(ring[next++]) === 'string') throw new Error('srtp bench: unprotect failed');
    });
    cases.push({ name: protectName }, { name: unprotectName });
  }
  return cases;
}
