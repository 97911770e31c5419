// The mutations of the SIP fuzzer: of a message's text (its draft: start line, header lines, body)
// and of its serialized bytes, each by name so a run can leave some out.
import { AUTH_GARBAGE, BAD_START_LINES, Prng, sdpGarbage, utf8, WEIRD_CSEQS, WEIRD_SESSION_EXPIRES, WEIRD_URIS, type FuzzTarget } from './fuzzCorpus.js';

/** UDP over loopback carries up to 65,507 bytes; nothing generated is bigger than this. */
export const MAX_DATAGRAM = 60_000;
/** The door's limit (src/sip/SipDoor.ts MAX_BYTES): more is dropped as too_large. */
export const DOOR_MAX_BYTES = 16 * 1024;

/** A message before it is serialized: its start line, header lines ("Name: value") and body. */
export interface Draft {
  start: string;
  headers: string[];
  body: string;
  /** Content-Length's value as written; computed from the body when undefined, left out when null. */
  contentLength?: string | null;
  eol: string;
  /** Between the headers and the body (normally an empty line). */
  separator: string;
}

/** A mutation of a message's text before it is serialized. */
export type DraftMutator = (d: Draft, rng: Prng) => void;
export type ByteMutator = (b: Buffer, rng: Prng) => Buffer;

/** Compact forms (RFC 3261 §7.3.3, and RFC 4028's x for Session-Expires). */
const COMPACT: Record<string, string> = {
  'call-id': 'i', contact: 'm', 'content-encoding': 'e', 'content-length': 'l', 'content-type': 'c', from: 'f', subject: 's', supported: 'k', to: 't', via: 'v', 'session-expires': 'x',
};
const REQUIRED = ['via', 'call-id', 'cseq', 'from', 'to'];
const SHORT_OF: Record<string, string> = Object.fromEntries(Object.entries(COMPACT).map(([k, v]) => [v, k]));

export const nameOf = (line: string): string => {
  const n = line.slice(0, Math.max(0, line.indexOf(':'))).trim().toLowerCase();
  return SHORT_OF[n] ?? n;
};
export const valueOf = (line: string): string => line.slice(line.indexOf(':') + 1).trim();

/** The text mutations; `callIds` are Call-IDs of real dialogs, for a message that reuses one. */
export function draftMutators(t: FuzzTarget, callIds: readonly string[]): Record<string, DraftMutator> {
  const at = (d: Draft, rng: Prng) => rng.int(0, Math.max(0, d.headers.length - 1));
  const replaceHeader = (d: Draft, name: string, line: string) => {
    const i = d.headers.findIndex((l) => nameOf(l) === name);
    if (i >= 0) d.headers[i] = line;
    else d.headers.push(line);
  };
  return {
    'dup-header': (d, rng) => {
      if (d.headers.length === 0) return;
      const i = at(d, rng);
      d.headers.splice(i, 0, ...Array(rng.pick([1, 1, 2, 10, 100])).fill(d.headers[i]));
    },
    'drop-header': (d, rng) => void d.headers.splice(at(d, rng), 1),
    'drop-required': (d, rng) => {
      const name = rng.pick(REQUIRED);
      d.headers = d.headers.filter((l) => nameOf(l) !== name);
    },
    'huge-value': (d, rng) => {
      if (d.headers.length === 0) return;
      const i = at(d, rng);
      d.headers[i] += rng.pick([';x=', ' ', ',', '']) + rng.pick(['a', '9', ';', ',', ' ', '<', '"']).repeat(rng.int(1000, 15_000));
    },
    oversize: (d, rng) => {
      const target = rng.int(DOOR_MAX_BYTES + 1, rng.chance(0.2) ? 58_000 : 24_000);
      const pad = Math.max(1, target - serialize(d).length);
      if (rng.chance(0.5)) d.headers.push(`X-Pad: ${'p'.repeat(pad)}`);
      else d.body += 'b'.repeat(pad);
    },
    'content-length': (d, rng) => {
      const n = Buffer.byteLength(d.body, 'latin1');
      const choice = rng.int(0, 11);
      if (choice === 11) {
        d.contentLength = null;
        return;
      }
      d.contentLength = [
        String(n + rng.int(1, 5000)), String(Math.max(0, n - rng.int(1, Math.max(1, n)))), String(-rng.int(1, 1000)), 'abc', '', '1e3', '0x10', ` ${n} `, '9'.repeat(rng.int(20, 400)), `${n}, ${n}`, String(2 ** 31),
      ][choice];
      if (rng.chance(0.15)) d.headers.push(`Content-Length: ${rng.int(0, 100)}`);
    },
    'start-line': (d, rng) => {
      const uri = d.start.split(' ')[1] ?? `sip:${t.openNumber}@127.0.0.1`;
      d.start = rng.pick(BAD_START_LINES(rng, uri));
    },
    'non-ascii': (d, rng) => {
      const junk = rng.pick(['\u0000', '\u0000\u0000\u0000', '\u00ff\u00fe', utf8('ü€☎😀'), '\u0080', '\u001b[31m', '\u007f', utf8('\u202e'), rng.bytes(rng.int(1, 30))]);
      const where = rng.int(0, 3);
      if (where === 0) d.start = insertAt(d.start, rng, junk);
      else if (where === 3 || d.headers.length === 0) d.body = insertAt(d.body, rng, junk);
      else {
        const i = at(d, rng);
        d.headers[i] = insertAt(d.headers[i], rng, junk);
      }
    },
    compact: (d, rng) => {
      const all = rng.chance(0.5);
      d.headers = d.headers.map((l) => {
        const name = nameOf(l);
        return COMPACT[name] && (all || rng.chance(0.5)) ? `${COMPACT[name]}: ${valueOf(l)}` : l;
      });
      if (d.contentLength !== null && rng.chance(0.5)) {
        d.headers.push(`l: ${d.contentLength ?? Buffer.byteLength(d.body, 'latin1')}`);
        d.contentLength = null;
      }
    },
    fold: (d, rng) => {
      if (d.headers.length === 0) return;
      const i = at(d, rng);
      const line = d.headers[i];
      const cut = rng.int(line.indexOf(':') + 1, line.length);
      d.headers[i] = line.slice(0, cut) + d.eol + rng.pick([' ', '\t', '   ', ' \t ']) + line.slice(cut);
      if (rng.chance(0.2)) d.headers[i] += `${d.eol} ${d.eol}\t`;
    },
    'weird-uri': (d, rng) => {
      const uri = rng.pick(WEIRD_URIS(rng, t));
      const where = rng.int(0, 3);
      if (where === 0) {
        const parts = d.start.split(' ');
        if (parts.length >= 3 && !d.start.startsWith('SIP/')) d.start = `${parts[0]} ${uri} ${parts.slice(2).join(' ')}`;
      } else {
        const name = ['to', 'from', 'contact'][where - 1];
        replaceHeader(d, name, `${name === 'to' ? 'To' : name === 'from' ? 'From' : 'Contact'}: ${rng.pick([`<${uri}>`, uri, `"x" <${uri}>;tag=${rng.hex(4)}`, `${uri};tag=${rng.hex(4)}`])}`);
      }
    },
    'bogus-cseq': (d, rng) => {
      const method = /^[A-Z]+ /.test(d.start) ? d.start.split(' ')[0] : 'INVITE';
      replaceHeader(d, 'cseq', `CSeq: ${rng.pick(WEIRD_CSEQS(rng, method))}`);
    },
    'session-expires': (d, rng) => {
      d.headers = d.headers.filter((l) => nameOf(l) !== 'session-expires');
      d.headers.push(rng.pick(WEIRD_SESSION_EXPIRES(rng)));
    },
    authorization: (d, rng) => void d.headers.push(...Array.from({ length: rng.pick([1, 1, 2, 5]) }, () => rng.pick(AUTH_GARBAGE(rng, t)))),
    sdp: (d, rng) => {
      d.body = sdpGarbage(rng, t, d.body);
      if (!d.headers.some((l) => nameOf(l) === 'content-type')) d.headers.push('Content-Type: application/sdp');
    },
    // Parameter names that are Object.prototype's: the package parses parameters into plain objects.
    'proto-param': (d, rng) => {
      const param = rng.pick([';__proto__', ';__proto__=x', ';constructor', ';toString', ';hasOwnProperty', ';valueOf=1', ';prototype']);
      const name = rng.pick(['via', 'via', 'to', 'from', 'contact']);
      const i = d.headers.findIndex((l) => nameOf(l) === name);
      if (i >= 0) d.headers[i] += param;
      else if (!d.start.startsWith('SIP/')) d.start = d.start.replace(/ SIP\/2\.0$/, `${param} SIP/2.0`);
    },
    'line-endings': (d, rng) => {
      const choice = rng.int(0, 4);
      if (choice === 0) d.eol = '\n';
      else if (choice === 1) d.eol = '\r';
      else if (choice === 2) d.separator = '';
      else if (choice === 3) d.separator = d.eol + d.eol + d.eol;
      else d.eol = rng.pick(['\n\r', '\r\r\n', '\r\n\r']);
    },
    whitespace: (d, rng) => {
      const ws = () => rng.pick([' ', '  ', '\t', ' \t ', '']);
      d.headers = d.headers.map((l) => (rng.chance(0.5) ? l.replace(/^([^:]*):\s*/, (_, n: string) => `${n}${ws()}:${ws()}`) : l));
      if (rng.chance(0.3)) d.start = d.start.replace(/ /g, () => rng.pick([' ', '  ', '\t']));
      if (rng.chance(0.3)) d.start = ' ' + d.start;
    },
    'header-garbage': (d, rng) => {
      const line = rng.pick([
        'NoColonHere',
        ': empty name',
        'Bad Name: value',
        `${'H'.repeat(rng.int(100, 5000))}: v`,
        'X-Empty:',
        ':',
        `X-Bin: ${rng.bytes(rng.int(1, 100)).replace(/[\r\n]/g, '')}`,
        '%56ia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKescaped',
        'Content-Type: application/sdp; charset=; boundary="',
        'Max-Forwards: 0',
        'Max-Forwards: -1',
        'Max-Forwards: 99999999999999',
        'Route: <sip:10.0.0.1;lr>',
        'Record-Route: <garbage',
        'Require: nonsense',
        'Expires: -1',
      ]);
      d.headers.splice(rng.int(0, d.headers.length), 0, line);
    },
    'many-via': (d, rng) => {
      const n = rng.int(2, 300);
      const vias = Array.from({ length: n }, (_, k) => `Via: SIP/2.0/UDP 10.${k % 250}.0.1:5060;branch=z9hG4bK${rng.hex(8)}`);
      d.headers.splice(1, 0, ...(rng.chance(0.5) ? vias : [`Via: ${vias.map((v) => v.slice(5)).join(', ')}`]));
    },
    'via-garbage': (d, rng) => {
      replaceHeader(d, 'via', `Via: ${rng.pick([
        'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKtcp',
        'SIP/2.0/UDP 127.0.0.1:5060',
        'SIP/2.0/UDP 127.0.0.1:5060;branch=nocookie',
        'SIP/2.0/UDP 127.0.0.1:5060;branch=',
        'SIP/2.0/UDP 127.0.0.1:99999;branch=z9hG4bKport',
        'SIP/2.0/UDP [::1]:5060;branch=z9hG4bKv6',
        'SIP/2.0/UDP 127.0.0.1:5060;rport=abc;received=999.1.1.1;branch=z9hG4bKr',
        'SIP/2.0/UDP',
        'SIP/2.0/',
        'SIP/9.9/UDP 127.0.0.1;branch=z9hG4bKver',
        `SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK${'b'.repeat(rng.int(300, 8000))}`,
        'garbage',
        '',
        'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa;branch=z9hG4bKb',
        'SIP/2.0/UDP 127.0.0.1:5060;;;;;',
        'SIP/2.0/UDP 127.0.0.1:5060;branch="quoted"',
      ])}`);
    },
    'call-id': (d, rng) => {
      replaceHeader(d, 'call-id', `Call-ID: ${rng.pick([
        '',
        ' ',
        'x'.repeat(256),
        'x'.repeat(257),
        'x'.repeat(rng.int(300, 10_000)),
        'with spaces in it',
        utf8('ünïcode@host'),
        callIds.length > 0 ? rng.pick(callIds) : 'reused@127.0.0.1',
        '__proto__',
        'constructor',
      ])}`);
    },
    'method-mismatch': (d, rng) => {
      if (d.start.startsWith('SIP/')) return;
      const method = rng.pick(['INVITE', 'ACK', 'BYE', 'CANCEL', 'INFO', 'OPTIONS', 'UPDATE']);
      d.start = d.start.replace(/^\S+/, method);
    },
    'body-garbage': (d, rng) => {
      d.body = rng.pick([rng.bytes(rng.int(1, 4000)), 'Signal=\r\nDuration=abc', 'Signal=55\r\n', 'Signal=5\r\nDuration=-1\r\n', 'Signal=5\r\nDuration=1e308\r\n', '\u0000'.repeat(100)]);
      replaceHeader(d, 'content-type', `Content-Type: ${rng.pick(['application/dtmf-relay', 'application/dtmf', 'application/sdp', 'text/plain', 'multipart/mixed;boundary=x', '', '*/*', utf8('ä/ö')])}`);
    },
  };
}


/** Mutations of the serialized bytes, after the text ones. */
export const BYTE_MUTATORS: Record<string, ByteMutator> = {
  flip: (b, rng) => {
    const out = Buffer.from(b);
    if (out.length === 0) return out;
    const n = rng.pick([1, 1, 2, 4, 16]);
    for (let k = 0; k < n; k++) {
      const i = rng.int(0, out.length - 1);
      out[i] = rng.chance(0.5) ? out[i] ^ (1 << rng.int(0, 7)) : rng.int(0, 255);
    }
    return out;
  },
  truncate: (b, rng) => b.subarray(0, rng.int(0, Math.max(0, b.length - 1))),
  nul: (b, rng) => {
    const i = rng.int(0, b.length);
    return Buffer.concat([b.subarray(0, i), Buffer.alloc(rng.pick([1, 1, 4, 64])), b.subarray(i)]);
  },
  splice: (b, rng) => {
    // a chunk of the message again, somewhere else (a bad reassembly)
    if (b.length < 2) return b;
    const from = rng.int(0, b.length - 1);
    const chunk = b.subarray(from, Math.min(b.length, from + rng.int(1, 400)));
    const to = rng.int(0, b.length);
    return Buffer.concat([b.subarray(0, to), chunk, b.subarray(to)]);
  },
};

function insertAt(s: string, rng: Prng, junk: string): string {
  const i = rng.int(0, s.length);
  return s.slice(0, i) + junk + s.slice(i);
}

export function serialize(d: Draft): string {
  const headers = [...d.headers];
  const len = d.contentLength === undefined ? String(Buffer.byteLength(d.body, 'latin1')) : d.contentLength;
  if (len !== null) headers.push(`Content-Length: ${len}`);
  return [d.start, ...headers].join(d.eol) + d.eol + d.separator + d.body;
}
