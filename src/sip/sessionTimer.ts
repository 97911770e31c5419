// RFC 4028 session timers, as the peer asks for them: who refreshes and how often. A session
// nobody refreshes in time ends with a BYE, so a peer that vanished without one is not kept.
import type { SipMessage } from './sipLibrary.js';

/** The least interval we take (RFC 4028 §4: 90 s); a smaller one is answered 422 with Min-SE. */
export const MIN_SE = 90;
/** The longest we keep: a peer cannot pin a dialog for a day. */
const MAX_SE = 7200;

export type SessionTimerAsk =
  | { kind: 'none' }
  | { kind: 'too-small' }
  | { kind: 'timer'; seconds: number; refresher: 'uac' | 'uas'; peerSupports: boolean };

/** What the peer's INVITE (or UPDATE) asks of the session timer. */
export function sessionTimerOf(rq: SipMessage): SessionTimerAsk {
  const raw = header(rq, 'session-expires') ?? header(rq, 'x');
  if (raw === undefined) return { kind: 'none' };
  const m = /^\s*(\d{1,9})\s*(?:;(.*))?$/.exec(raw);
  if (!m) return { kind: 'none' };
  const seconds = Number(m[1]);
  if (seconds < MIN_SE) return { kind: 'too-small' };
  const refresher = /refresher\s*=\s*uas/i.test(m[2] ?? '') ? 'uas' : 'uac';
  const supported = `${header(rq, 'supported') ?? ''},${header(rq, 'k') ?? ''}`;
  return { kind: 'timer', seconds: Math.min(seconds, MAX_SE), refresher, peerSupports: /\btimer\b/i.test(supported) };
}

/** The headers of our 2xx for that ask. */
export function sessionTimerHeaders(ask: SessionTimerAsk): Record<string, string> {
  if (ask.kind !== 'timer') return {};
  return { 'session-expires': `${ask.seconds};refresher=${ask.refresher}`, ...(ask.peerSupports && { require: 'timer' }) };
}

function header(rq: SipMessage, name: string): string | undefined {
  const v = rq.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v.join(',') : undefined;
}
