// What the door takes from the wire: a message the `sip` package can parse and that carries what
// RFC 3261 §8.1.1 requires (Via, Call-ID, From, To, CSeq, a method or a status). The package
// drops anything else without a word; the door counts it instead, by reason.
import type { SipDropReason } from './SipCounters.js';
import { parseMessage, type SipMessage } from './sipLibrary.js';

/** Why `data` is not a message to take, or undefined when it is one. */
export function screenMessage(data: Buffer, maxBytes: number): SipDropReason | undefined {
  if (data.length > maxBytes) return 'too_large';
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
