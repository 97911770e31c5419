import type { Logger } from '../util/logger.js';
import { intToIpv4 } from './ipv4.js';

/** Why an incoming packet was dropped. */
export type DropReason =
  | 'oversized'
  | 'foreign-source'
  | 'source-learning'
  | 'truncated'
  | 'bad-version'
  | 'bad-padding'
  | 'bad-extension'
  | 'unknown-payload-type'
  | 'wrong-ssrc'
  | 'srtp-auth'
  | 'srtp-replay'
  | 'srtp-too-old'
  | 'srtp-truncated'
  | 'rtcp-malformed'
  | 'late'
  | 'duplicate'
  | 'overflow'
  | 'too-large';

/**
 * Counts dropped packets by reason and logs them without flooding: the first drop of each
 * reason, then every 1000th. A remote party controls how many bad packets arrive; it must not
 * control how much we log.
 */
export class DropCounter<R extends string = DropReason> {
  readonly counts: Partial<Record<R, number>> = {};
  #total = 0;
  readonly #log: Logger;
  readonly #context: Record<string, unknown>;
  readonly #what: string;

  /** `what`: the log line's message (an RTP packet by default; the SIP door counts messages). */
  constructor(log: Logger, context: Record<string, unknown>, what = 'packet dropped') {
    this.#log = log;
    this.#context = context;
    this.#what = what;
  }

  get total(): number {
    return this.#total;
  }

  /** `from`: the source, an address or an IPv4 number (formatted only when logged). */
  drop(reason: R, from?: string | number): void {
    const n = (this.counts[reason] ?? 0) + 1;
    this.counts[reason] = n;
    this.#total++;
    if (n === 1 || n % 1000 === 0) {
      this.#log.warn({ ...this.#context, reason, count: n, from: typeof from === 'number' ? intToIpv4(from) : from }, this.#what);
    }
  }
}
