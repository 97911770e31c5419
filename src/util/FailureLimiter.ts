// Counts failures (a wrong API key) per key, such as a source address, in a sliding minute, and
// refuses a key that has failed too often until its oldest counted failure leaves the window.
// Bounded: at most maxKeys keys are tracked, the least recently failing forgotten first, so a
// flood of sources costs bounded memory.
import { RateLimitedError } from '../errors.js';

export interface FailureLimiterOptions {
  /** Failures allowed per key within windowMs; the next attempt is refused. */
  max: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export class FailureLimiter {
  readonly #o: Required<FailureLimiterOptions>;
  /** Failure times per key, oldest first; the Map is in least-recently-failed order. */
  readonly #failures = new Map<string, number[]>();
  readonly #what: string;

  constructor(what: string, o: FailureLimiterOptions) {
    this.#what = what;
    this.#o = { maxKeys: 100_000, now: Date.now, ...o };
  }

  /** Throws RateLimitedError (429, Retry-After) when `key` has used up its failures. */
  check(key: string): void {
    const times = this.#recent(key);
    if (times.length < this.#o.max) return;
    const retryMs = times[0] + this.#o.windowMs - this.#o.now();
    throw new RateLimitedError(this.#what, Math.max(1, Math.ceil(retryMs / 1000)));
  }

  fail(key: string): void {
    const times = this.#recent(key);
    times.push(this.#o.now());
    this.#failures.delete(key);
    this.#failures.set(key, times);
    while (this.#failures.size > this.#o.maxKeys) this.#failures.delete(this.#failures.keys().next().value!);
  }

  #recent(key: string): number[] {
    const times = this.#failures.get(key) ?? [];
    const from = this.#o.now() - this.#o.windowMs;
    while (times.length > 0 && times[0] <= from) times.shift();
    return times;
  }
}
