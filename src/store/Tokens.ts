// Auth tokens handed out by `PUT /v2/api_auth`. Each lives a fixed time from its issue. With a
// backing store (the server's SQLite) a token survives a restart; only its sha256 is written,
// so a stolen database file holds no usable bearer token. Lookups are served from memory (a
// Map by hash): an authenticated request costs one hash and one lookup, not a query.

import { createHash, randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import type { StoredToken } from './Store.js';

/** Where tokens persist: the server's Store. */
export interface TokenStore {
  liveTokens(now: number): StoredToken[];
  saveToken(t: StoredToken): void;
  deleteToken(hash: Buffer): void;
  deleteExpiredTokens(now: number): void;
}

export interface TokensOptions {
  /** Lifetime of a token from its issue, fixed (not extended by use). Default 1 h. */
  ttlMs?: number;
  /** At most this many live tokens; issuing one more evicts the oldest. Default 100,000. */
  max?: number;
  /** Wall-clock milliseconds (a persisted expiry must mean the same after a restart); tests inject their own. */
  now?: () => number;
  /** Keeps tokens across restarts; without it they live in memory only. */
  store?: TokenStore;
}

interface Entry {
  accountId: string;
  expiresAt: number;
}

const hashOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export class Tokens {
  readonly ttlMs: number;
  readonly max: number;
  private readonly now: () => number;
  private readonly store: TokenStore | undefined;
  // By hash (hex). A Map iterates in insertion order, which with one fixed TTL is also expiry
  // order: the oldest token is always first, so eviction and sweeping look only at the front.
  private readonly entries = new Map<string, Entry>();
  private readonly revokedListeners: (() => void)[] = [];

  constructor(opts: TokensOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 3_600_000;
    this.max = opts.max ?? 100_000;
    this.now = opts.now ?? Date.now;
    this.store = opts.store;
    if (!Number.isFinite(this.ttlMs) || this.ttlMs <= 0) throw new InvalidArgumentError('ttlMs', 'must be a positive number');
    if (!Number.isInteger(this.max) || this.max < 1) throw new InvalidArgumentError('max', 'must be a positive integer');
    if (this.store) {
      const now = this.now();
      this.store.deleteExpiredTokens(now);
      for (const t of this.store.liveTokens(now)) this.entries.set(t.hash.toString('hex'), { accountId: t.accountId, expiresAt: t.expiresAt });
    }
  }

  /** Number of tokens held (expired ones not yet swept included). */
  get size(): number {
    return this.entries.size;
  }

  /** Calls `listener` whenever tokens are revoked (a websocket then drops their subscriptions). */
  onRevoked(listener: () => void): void {
    this.revokedListeners.push(listener);
  }

  /** A new token for `accountId`: 32 random bytes, base64url (43 characters, URL-safe). */
  issue(accountId: string): string {
    this.sweep();
    // The bound keeps a client looping on api_auth from growing memory without limit; the
    // cost falls on the oldest sessions, which are the nearest to expiring anyway.
    while (this.entries.size >= this.max) this.dropOldest();
    const token = randomBytes(32).toString('base64url');
    const hash = hashOf(token);
    const entry = { accountId, expiresAt: this.now() + this.ttlMs };
    this.entries.set(hash.toString('hex'), entry);
    this.store?.saveToken({ hash, ...entry });
    return token;
  }

  /** The account a token was issued to; undefined when unknown, revoked or expired. */
  accountOf(token: string): string | undefined {
    const key = hashOf(token).toString('hex');
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() >= e.expiresAt) {
      this.delete(key);
      return undefined;
    }
    return e.accountId;
  }

  revoke(token: string): void {
    if (this.delete(hashOf(token).toString('hex'))) this.notify();
  }

  /** Revokes every token of an account but `keep` (the caller's own, when it rotates its key). */
  revokeAccount(accountId: string, keep?: string): void {
    const kept = keep === undefined ? undefined : hashOf(keep).toString('hex');
    let any = false;
    for (const [key, e] of this.entries) if (e.accountId === accountId && key !== kept) any = this.delete(key) || any;
    if (any) this.notify();
  }

  private delete(key: string): boolean {
    if (!this.entries.delete(key)) return false;
    this.store?.deleteToken(Buffer.from(key, 'hex'));
    return true;
  }

  private notify(): void {
    for (const listener of this.revokedListeners) listener();
  }

  /** Drops expired tokens from the front; stops at the first live one. */
  private sweep(): void {
    const now = this.now();
    for (const [key, e] of this.entries) {
      if (now < e.expiresAt) break;
      this.delete(key);
    }
  }

  private dropOldest(): void {
    const first = this.entries.keys().next();
    if (!first.done) this.delete(first.value);
  }
}
