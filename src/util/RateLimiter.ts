// A token bucket per key (an auth token, a conference): `perSecond` on average, bursts up to
// `burst`. Bounded: at most maxKeys buckets, the least recently used forgotten first (a forgotten
// key starts again with a full bucket, which errs on the side of the client).
import { RateLimitedError } from '../errors.js';

export interface RateLimiterOptions {
  perSecond: number;
  burst: number;
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #o: Required<RateLimiterOptions>;
  readonly #what: string;
  readonly #buckets = new Map<string, Bucket>();

  constructor(what: string, o: RateLimiterOptions) {
    this.#what = what;
    this.#o = { maxKeys: 100_000, now: Date.now, ...o };
  }

  /** Takes one from `key`'s bucket, or throws RateLimitedError (429, Retry-After) when it is empty. */
  take(key: string): void {
    const now = this.#o.now();
    const { perSecond, burst } = this.#o;
    const b = this.#buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    this.#buckets.delete(key);
    this.#buckets.set(key, b);
    while (this.#buckets.size > this.#o.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (b.tokens < 1) throw new RateLimitedError(this.#what, Math.max(1, Math.ceil((1 - b.tokens) / perSecond)));
    b.tokens -= 1;
  }
}
