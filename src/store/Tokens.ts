// Auth tokens handed out by `PUT /v2/api_auth`. They live in memory only: a restart logs every
// client out, and each logs in again with its API key (Kazoo clients already re-authenticate
// when a token expires). Keeping them out of SQLite means a stolen database file holds no
// usable bearer token, and each authenticated request costs a Map lookup, not a query.

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError } from '../errors.js';

export interface TokensOptions {
  /** Lifetime of a token from its issue, fixed (not extended by use). Default 1 h. */
  ttlMs?: number;
  /** At most this many live tokens; issuing one more evicts the oldest. Default 100,000. */
  max?: number;
  /**
   * Milliseconds on a monotonic clock; tests inject their own. Monotonic so that a wall-clock
   * step (NTP) neither revives nor kills tokens.
   */
  now?: () => number;
}

interface Entry {
  accountId: string;
  expiresAt: number;
}

export class Tokens {
  readonly ttlMs: number;
  readonly max: number;
  private readonly now: () => number;
  // A Map iterates in insertion order, which with one fixed TTL is also expiry order: the
  // oldest token is always first, so eviction and sweeping look only at the front.
  private readonly entries = new Map<string, Entry>();

  constructor(opts: TokensOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 3_600_000;
    this.max = opts.max ?? 100_000;
    this.now = opts.now ?? (() => performance.now());
    if (!Number.isFinite(this.ttlMs) || this.ttlMs <= 0) throw new InvalidArgumentError('ttlMs', 'must be a positive number');
    if (!Number.isInteger(this.max) || this.max < 1) throw new InvalidArgumentError('max', 'must be a positive integer');
  }

  /** Number of tokens held (expired ones not yet swept included). */
  get size(): number {
    return this.entries.size;
  }

  /** A new token for `accountId`: 32 random bytes, base64url (43 characters, URL-safe). */
  issue(accountId: string): string {
    this.sweep();
    // The bound keeps a client looping on api_auth from growing memory without limit; the
    // cost falls on the oldest sessions, which are the nearest to expiring anyway.
    while (this.entries.size >= this.max) this.dropOldest();
    const token = randomBytes(32).toString('base64url');
    this.entries.set(token, { accountId, expiresAt: this.now() + this.ttlMs });
    return token;
  }

  /** The account a token was issued to; undefined when unknown, revoked or expired. */
  accountOf(token: string): string | undefined {
    const e = this.entries.get(token);
    if (!e) return undefined;
    if (this.now() >= e.expiresAt) {
      this.entries.delete(token);
      return undefined;
    }
    return e.accountId;
  }

  revoke(token: string): void {
    this.entries.delete(token);
  }

  /** Drops expired tokens from the front; stops at the first live one. */
  private sweep(): void {
    const now = this.now();
    for (const [token, e] of this.entries) {
      if (now < e.expiresAt) break;
      this.entries.delete(token);
    }
  }

  private dropOldest(): void {
    const first = this.entries.keys().next();
    if (!first.done) this.entries.delete(first.value);
  }
}
