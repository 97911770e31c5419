// What the door takes from the wire: a message the `sip` package can parse and that carries what
// RFC 3261 §8.1.1 requires (Via, Call-ID, From, To, CSeq, a method or a status). The package
// drops anything else without a word; the door counts it instead, by reason.
import type { SipDropReason } from './SipCounters.js';
import { parseMessage, type SipMessage } from './sipLibrary.js';

/** The longest header line taken: the package's parser is quadratic in a long run of spaces. */
const MAX_LINE = 2048;
/** The longest run of spaces or tabs taken in the head. */
const MAX_BLANKS = 64;
/** Names that would replace an object's prototype where the package stores a parameter. */
const PROTO = Buffer.from('__proto__');

/** Why `data` is not a message to take, or undefined when it is one. */
export function screenMessage(data: Buffer, maxBytes: number): SipDropReason | undefined {
  if (data.length > maxBytes) return 'too_large';
  const head = headShape(data);
  if (head !== undefined) return head;
  const m = parseMessage(data);
  if (!m || !startLine(m)) return 'unparseable';
  return complete(m) ? undefined : 'missing_header';
}

function startLine(m: SipMessage): boolean {
  return typeof m.method === 'string' ? /^[A-Za-z]{1,16}$/.test(m.method) : Number.isInteger(m.status) && m.status! >= 100 && m.status! <= 699;
}

/** At least what the package checks before it hands a message on, and what the door reads of it. */
function complete(m: SipMessage): boolean {
  const h = m.headers;
  const via = Array.isArray(h?.via) && h.via.length > 0 && typeof (h.via[0] as { params?: unknown }).params === 'object';
  const cseq = h?.cseq && Number.isInteger(h.cseq.seq) && typeof h.cseq.method === 'string';
  const ends = typeof h?.to?.uri === 'string' && typeof h?.from?.uri === 'string';
  return Boolean(via && cseq && ends && typeof h['call-id'] === 'string' && h['call-id'].length > 0 && h['call-id'].length <= 256);
}

/**
 * The message head read once, byte by byte, before the package parses it: a line over MAX_LINE
 * is too large; a run of blanks over MAX_BLANKS (quadratic in the package's regular expressions:
 * 16 KB of them block the event loop for a second) or `__proto__` (a parameter of that name
 * leaves the package's parameter object without a prototype, and a later hasOwnProperty call
 * throws out of its socket handler) is unparseable.
 */
function headShape(data: Buffer): SipDropReason | undefined {
  let line = 0;
  let blanks = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === 0x0a) {
      if (line <= 1) return undefined; // the blank line: the body follows
      line = 0;
      blanks = 0;
      continue;
    }
    if (++line > MAX_LINE) return 'too_large';
    blanks = c === 0x20 || c === 0x09 ? blanks + 1 : 0;
    if (blanks > MAX_BLANKS) return 'unparseable';
    if (c === 0x5f && data[i + 1] === 0x5f && data.subarray(i, i + PROTO.length).equals(PROTO)) return 'unparseable';
  }
  return undefined;
}
