// What the SIP fuzzer draws from: a seeded PRNG and the broken pieces a peer, a middlebox or an
// attacker puts in messages (start lines, URIs, CSeqs, Session-Expires, Authorization, SDP).
import { seededRandom } from '../helpers/random.js';

export const CRLF = '\r\n';
/** A string's UTF-8 bytes as latin1 chars (drafts hold bytes, one char each). */
export const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

/** A seeded PRNG (mulberry32) with the helpers the mutators use. */
export class Prng {
  readonly #next: () => number;
  constructor(readonly seed: number) {
    this.#next = seededRandom(seed);
  }
  /** [0, 1) */
  float(): number {
    return this.#next();
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.#next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#next() * items.length)];
  }
  /** One of `weighted`'s keys, by weight. */
  weighted<K extends string>(weighted: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weighted) as [K, number][];
    let r = this.#next() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [k, w] of entries) if ((r -= w) < 0) return k;
    return entries[entries.length - 1][0];
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(0, 15)];
    return s;
  }
  /** `n` random bytes as a latin1 string (one char per byte). */
  bytes(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.int(0, 255));
    return s;
  }
}

/** Where the messages go and come from. */
export interface FuzzTarget {
  serverPort: number;
  /** The sending socket (Via, Contact). */
  localAddress: string;
  localPort: number;
  /** Where SDP offers ask for media: a socket of the test's that swallows it. */
  mediaPort: number;
  /** A conference number taken without credentials (the join path). */
  openNumber: string;
  /** A conference number with bridge credentials (digest). */
  authNumber: string;
  /** A number no conference has. */
  unknownNumber: string;
}


export const BAD_START_LINES = (rng: Prng, uri: string): string[] => [
  '',
  ' ',
  'INVITE',
  `INVITE ${uri}`,
  `INVITE ${uri} SIP/3.0`,
  `INVITE ${uri} HTTP/1.1`,
  `invite ${uri} sip/2.0`,
  `INVITE  ${uri}  SIP/2.0`,
  `\tINVITE ${uri} SIP/2.0`,
  `INV@TE ${uri} SIP/2.0`,
  `${'A'.repeat(rng.int(17, 3000))} ${uri} SIP/2.0`,
  `123 ${uri} SIP/2.0`,
  `%49NVITE ${uri} SIP/2.0`,
  `INVITE ${uri} SIP/2.0 extra`,
  `INVITE ${uri}SIP/2.0`,
  `GET / HTTP/1.1`,
  'SIP/2.0',
  'SIP/2.0 200',
  'SIP/2.0 99 Too Low',
  'SIP/2.0 700 Too High',
  'SIP/2.0 1000 Way Too High',
  'SIP/2.0 -200 Negative',
  'SIP/2.0 2OO OK',
  `SIP/2.0 ${rng.int(0, 99999)} ${utf8('Ünïcødé ☎')}`,
  `SIP/2.0 200 ${'OK '.repeat(rng.int(100, 2000))}`,
  'SIP/1.0 200 OK',
  `${rng.bytes(rng.int(1, 60))}`,
  `\u0000INVITE ${uri} SIP/2.0`,
  `OPTIONS * SIP/2.0`,
  `REGISTER ${uri} SIP/2.0`,
];

export const WEIRD_URIS = (rng: Prng, t: FuzzTarget): string[] => {
  const host = `127.0.0.1:${t.serverPort}`;
  return [
    'sip:',
    'sip:@',
    `sip:@${host}`,
    `sips:${t.openNumber}@${host}`,
    `tel:${t.openNumber}`,
    `sip:%34%37%30%30@${host}`, // 4700, escaped
    `sip:%zz@${host}`,
    `sip:%@${host}`,
    `sip:%E0%A4%A@${host}`,
    `sip:${t.openNumber};user=phone@${host}`,
    `sip:${t.openNumber}@${host};transport=tcp;lr;maddr=10.0.0.1`,
    `sip:${t.openNumber}@${host}?Subject=x&Priority=urgent`,
    `sip:${t.openNumber}:secret@${host}`,
    `sip:${t.openNumber}@[::1]:${t.serverPort}`,
    `sip:${t.openNumber}@999.999.999.999`,
    `sip:${t.openNumber}@${'a'.repeat(rng.int(64, 4000))}.example`,
    `sip:${'9'.repeat(rng.int(60, 70))}@${host}`,
    `sip:${'7'.repeat(rng.int(65, 5000))}@${host}`,
    `<sip:${t.openNumber}@${host}>`,
    `sip:${utf8('4700€')}@${host}`,
    `sip:conference-${rng.hex(8)}@${host}`,
    `sip:conference-@${host}`,
    `sip:${t.openNumber}@${host}:${rng.int(65536, 999999)}`,
    `sip:${t.openNumber}@${host};${'p=1;'.repeat(rng.int(10, 500))}`,
    `sip:${t.openNumber}@${host};__proto__`,
    `sip:__proto__@${host}`,
    `http://${host}/`,
    `sip:${t.openNumber}@${host}\u0000`,
    '*',
  ];
};

export const WEIRD_CSEQS = (rng: Prng, method: string): string[] => [
  `-1 ${method}`,
  `0 ${method}`,
  `${rng.int(2 ** 31, 2 ** 32 + 10)} ${method}`,
  `${'9'.repeat(rng.int(20, 400))} ${method}`,
  `${'9'.repeat(rng.int(310, 600))} ${method}`,
  `1e9 ${method}`,
  `0x10 ${method}`,
  `1.5 ${method}`,
  method,
  `${rng.int(1, 100)}`,
  `${rng.int(1, 100)} ${method === 'INVITE' ? 'BYE' : 'INVITE'}`,
  `${rng.int(1, 100)} ACK`,
  `${rng.int(1, 100)} ${method} extra words`,
  `${rng.int(1, 100)}${method}`,
  `${rng.int(1, 100)} ${method.toLowerCase()}`,
  `${rng.int(1, 100)} %41CK`,
  `${rng.int(1, 100)} ${utf8('ÏNVITE')}`,
  '',
];

export const WEIRD_SESSION_EXPIRES = (rng: Prng): string[] => [
  'Session-Expires: 0',
  'Session-Expires: -1',
  'Session-Expires: abc',
  'Session-Expires: 89',
  'Session-Expires: 90;refresher=uas',
  'Session-Expires: 90;refresher=uac',
  `Session-Expires: ${rng.int(91, 7200)};refresher=${rng.pick(['uas', 'uac', 'nobody', ''])}`,
  `Session-Expires: ${'9'.repeat(rng.int(9, 40))}`,
  'Session-Expires: 1800;refresher',
  'Session-Expires: ;refresher=uas',
  'Session-Expires: 1800, 90',
  'x: 1',
  'x: 1800;refresher=uas',
  'Min-SE: 99999999999',
  'Min-SE: -5',
  'Supported: timer, timer, timer',
  'Require: timer',
  'Require: 100rel, precondition, nonsense',
];

export const AUTH_GARBAGE = (rng: Prng, t: FuzzTarget): string[] => [
  'Authorization: Digest',
  'Authorization: Digest ',
  'Authorization: Digest username=',
  'Authorization: Basic dXNlcjpwYXNz',
  'Authorization: Bearer abc.def.ghi',
  `Authorization: Digest username="fuzz", realm="roomtone", nonce="${rng.hex(38)}", uri="sip:${t.authNumber}@127.0.0.1", response="${rng.hex(32)}"`,
  `Authorization: Digest username="fuzz", realm="roomtone", nonce="${'A'.repeat(38)}", uri="sip:${t.authNumber}@127.0.0.1:${t.serverPort}", response="${rng.hex(64)}", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="x"`,
  `Authorization: Digest username="fuzz", realm="roomtone", nonce="x", uri="x", response="x", algorithm=MD5-sess, qop=auth-int, nc=zz`,
  `Authorization: Digest realm="roomtone", username="${'u'.repeat(rng.int(500, 4000))}", nonce="n", uri="u", response="r"`,
  `Authorization: Digest realm="roomtone", username="a", nonce="${'n'.repeat(rng.int(513, 2000))}", uri="u", response="r"`,
  'Authorization: Digest realm="roomtone",,,,, username="a"',
  'Authorization: Digest realm="unterminated',
  `Authorization: Digest realm="roomtone", username="\\"", nonce="\\\\", uri="sip:x", response="${utf8('ü')}"`,
  'Authorization: Digest __proto__="x", constructor="y", realm="roomtone"',
  'Authorization: Digest realm="other", username="a", nonce="b", uri="c", response="d", Digest realm="roomtone"',
  'Proxy-Authorization: Digest realm="roomtone", username="a"',
  `Authorization: ${rng.bytes(rng.int(1, 200)).replace(/[\r\n]/g, ' ')}`,
];

/** The SDP offer of a real softphone (PCMU, PCMA, telephone-event). */
export function sdpOffer(t: FuzzTarget, sessionId: number): string {
  return [
    'v=0',
    `o=fuzz ${sessionId} ${sessionId} IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${t.mediaPort} RTP/AVP 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join(CRLF);
}

/** The INVITE's body broken: bad m= lines, huge ports, thousands of a= lines within 16 KiB, and so on. */
export function sdpGarbage(rng: Prng, t: FuzzTarget, body: string): string {
  const lines = (body || sdpOffer(t, 1)).split(CRLF);
  const mIndex = Math.max(0, lines.findIndex((l) => l.startsWith('m=')));
  const setM = (m: string) => (lines[mIndex] = m);
  switch (rng.int(0, 21)) {
    case 0: setM(`m=audio ${rng.pick([65536, 99999, 4294967296, 2 ** 53, -1, 0, 1, 1023])} RTP/AVP 0`); break;
    case 1: setM(`m=audio ${'9'.repeat(rng.int(10, 400))} RTP/AVP 0`); break;
    case 2: setM('m='); break;
    case 3: setM('m=audio'); break;
    case 4: setM(`m=audio ${t.mediaPort} RTP/AVP`); break;
    case 5: setM(`m=audio ${t.mediaPort} RTP/AVP ${Array.from({ length: rng.int(50, 1500) }, () => rng.int(0, 300)).join(' ')}`); break;
    case 6: setM(`m=video ${t.mediaPort} RTP/AVP 96`); break;
    case 7: setM(`m=audio ${t.mediaPort} RTP/SAVP 0`); break;
    case 8: setM(`m=audio ${t.mediaPort} UDP/TLS/RTP/SAVPF 111`); break;
    case 9: setM(`m=audio ${t.mediaPort}/2 RTP/AVP 0`); break;
    case 10: lines.splice(mIndex, 0, ...Array.from({ length: rng.int(2, 300) }, (_, k) => `m=audio ${t.mediaPort + 2 * k} RTP/AVP 0`)); break;
    case 11: {
      // thousands of a= lines, the message still within the door's 16 KiB
      const n = rng.int(1000, 2600);
      lines.splice(lines.length - 1, 0, ...Array.from({ length: n }, (_, k) => `a=x${k % 100}`));
      break;
    }
    case 12: lines.splice(lines.length - 1, 0, ...Array.from({ length: rng.int(100, 600) }, (_, k) => `a=rtpmap:${k % 128} ${rng.pick(['PCMU', 'opus', 'G729', 'x'])}/${rng.pick([8000, 48000, 0, -1, 'abc'])}`)); break;
    case 13: return lines.filter((l) => !l.startsWith('c=')).join(CRLF);
    case 14: return lines.map((l) => (l.startsWith('c=') ? rng.pick(['c=IN IP6 ::1', 'c=IN IP4 999.1.1.1', 'c=IN IP4 0.0.0.0', 'c=IN IP4 224.0.0.1', 'c=IN IP4 255.255.255.255', 'c=IN IP4', 'c=', 'c=IN IP4 192.0.2.1/127/3', 'c=IN IP4 localhost']) : l)).join(CRLF);
    case 15: return lines.filter((l) => !l.startsWith('m=')).join(CRLF);
    case 16: return rng.bytes(rng.int(1, 3000));
    case 17: return lines.join('\n');
    case 18: return lines.map((l) => (l.startsWith('a=sendrecv') ? rng.pick(['a=sendonly', 'a=recvonly', 'a=inactive', 'a=sendrecv:garbage', 'a=']) : l)).join(CRLF);
    case 19: return 'v=1' + CRLF + lines.slice(1).join(CRLF);
    case 20: return lines.map((l) => (l.startsWith('a=rtpmap:0') ? 'a=rtpmap:0 PCMU/8000/' + '1'.repeat(rng.int(1, 5000)) : l)).join(CRLF);
    default: return lines.slice(0, rng.int(0, lines.length)).join(CRLF);
  }
  return lines.join(CRLF);
}

