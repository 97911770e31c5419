// What the SIP door counts for /metrics: every message that arrives is either taken (a request
// or a response) or dropped with a reason; responses sent by code; the transactions and dialogs
// in progress. Totals only grow; /metrics turns them into Prometheus counters.
import { DropCounter } from '../transports/DropCounter.js';
import type { Logger } from '../util/logger.js';
import type { SipMessage } from './sipLibrary.js';

export type SipDropReason = 'too_large' | 'unparseable' | 'missing_header' | 'flood' | 'stray_ack' | 'handler_threw';

export interface SipStats {
  dialogs: number;
  transactions: number;
  messages: Record<'request' | 'response', number>;
  dropped: Partial<Record<SipDropReason, number>>;
  responses: Record<string, number>;
}

/** How long a transaction with no final answer is counted before it is taken as gone (RFC 3261 Timer B/F: 64·T1). */
const TRANSACTION_LIFE_MS = 32_000;
/** The most transactions tracked: a flood of requests never answered cannot grow the table without end. */
const MAX_TRACKED = 20_000;

export class SipCounters {
  readonly messages = { request: 0, response: 0 };
  readonly #dropped: DropCounter<SipDropReason>;
  readonly responses: Record<string, number> = {};
  /** Open transactions by id (branch and method, and which side): when each began. */
  readonly #open = new Map<string, number>();

  constructor(log: Logger) {
    this.#dropped = new DropCounter<SipDropReason>(log, { door: 'sip' }, 'SIP message dropped');
  }

  /** A message not taken; logged the first time for each reason and every 1000th after. */
  drop(reason: SipDropReason, from?: string): void {
    this.#dropped.drop(reason, from);
  }

  /** A message the package parsed and took (every one, retransmissions included). */
  received(m: SipMessage): void {
    if (m.method) {
      this.messages.request++;
      if (m.method !== 'ACK') this.#begin(`s:${transactionKey(m)}`);
    } else {
      this.messages.response++;
      if ((m.status ?? 0) >= 200) this.#open.delete(`c:${transactionKey(m)}`);
    }
  }

  /** A message the package put on the wire. */
  sent(m: SipMessage): void {
    if (m.method) {
      if (m.method !== 'ACK') this.#begin(`c:${transactionKey(m)}`);
      return;
    }
    const code = String(m.status);
    this.responses[code] = (this.responses[code] ?? 0) + 1;
    if ((m.status ?? 0) >= 200) this.#open.delete(`s:${transactionKey(m)}`);
  }

  /** A request of ours got its final answer, perhaps the package's own 408 or 503 (which never crossed the wire). */
  clientFinished(m: SipMessage): void {
    this.#open.delete(`c:${transactionKey(m)}`);
  }

  transactions(now = Date.now()): number {
    for (const [id, at] of this.#open) if (now - at > TRANSACTION_LIFE_MS) this.#open.delete(id);
    return this.#open.size;
  }

  stats(dialogs: number): SipStats {
    return { dialogs, transactions: this.transactions(), messages: { ...this.messages }, dropped: { ...this.#dropped.counts }, responses: { ...this.responses } };
  }

  #begin(id: string): void {
    if (this.#open.has(id)) return;
    if (this.#open.size >= MAX_TRACKED) this.#open.delete(this.#open.keys().next().value!);
    this.#open.set(id, Date.now());
  }
}

/** A transaction's id (RFC 3261 §17.2.3): the top Via's branch and the CSeq method (CANCEL has its own). */
function transactionKey(m: SipMessage): string {
  const via = (m.headers.via as { params?: { branch?: string } }[] | undefined)?.[0];
  return `${via?.params?.branch ?? ''}/${m.headers.cseq?.method ?? ''}`;
}
