import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/Store.js';
import { Tokens } from '../../src/store/Tokens.js';

// A hand-moved clock: expiry is tested at its exact boundary without waiting.
function clock() {
  const c = { t: 1_000, now: () => c.t };
  return c;
}

describe('Tokens', () => {
  it('issues distinct URL-safe tokens of 32 random bytes that map to their account', () => {
    const tokens = new Tokens();
    const a = tokens.issue('acct-a');
    const b = tokens.issue('acct-b');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(tokens.accountOf(a)).toBe('acct-a');
    expect(tokens.accountOf(b)).toBe('acct-b');
    expect(tokens.accountOf('nope')).toBeUndefined();
    expect(tokens.ttlMs).toBe(3_600_000);
  });

  it('expires a token exactly ttlMs after issue, and use does not extend it', () => {
    const c = clock();
    const tokens = new Tokens({ ttlMs: 60_000, now: c.now });
    const t = tokens.issue('a');
    c.t += 59_999;
    expect(tokens.accountOf(t)).toBe('a');
    c.t += 1;
    expect(tokens.accountOf(t)).toBeUndefined();
    expect(tokens.size).toBe(0); // dropped on the failed lookup
  });

  it('revokes', () => {
    const tokens = new Tokens();
    const t = tokens.issue('a');
    tokens.revoke(t);
    tokens.revoke(t);
    expect(tokens.accountOf(t)).toBeUndefined();
  });

  it('holds at most max tokens, evicting the oldest', () => {
    const tokens = new Tokens({ max: 3 });
    const issued = ['a', 'b', 'c', 'd', 'e'].map((acct) => tokens.issue(acct));
    expect(tokens.size).toBe(3);
    expect(issued.map((t) => tokens.accountOf(t))).toEqual([undefined, undefined, 'c', 'd', 'e']);
  });

  it('sweeps expired tokens on issue, so they do not count against the bound', () => {
    const c = clock();
    const tokens = new Tokens({ ttlMs: 1_000, max: 3, now: c.now });
    tokens.issue('old1');
    tokens.issue('old2');
    c.t += 500;
    const live = tokens.issue('live');
    c.t += 600; // old1 and old2 expired, live has 400 ms left
    const fresh = tokens.issue('fresh');
    expect(tokens.size).toBe(2);
    expect(tokens.accountOf(live)).toBe('live');
    expect(tokens.accountOf(fresh)).toBe('fresh');
  });

  it('stays bounded under a flood of 20,000 logins', () => {
    const tokens = new Tokens({ max: 1_000 });
    let last = '';
    for (let i = 0; i < 20_000; i++) last = tokens.issue(`acct-${i}`);
    expect(tokens.size).toBe(1_000);
    expect(tokens.accountOf(last)).toBe('acct-19999');
  });

  it('rejects bad options', () => {
    expect(() => new Tokens({ ttlMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new Tokens({ ttlMs: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => new Tokens({ max: 0 })).toThrow(InvalidArgumentError);
    expect(() => new Tokens({ max: 1.5 })).toThrow(InvalidArgumentError);
  });

  it('with a store, keeps tokens across instances (a restart) as hashes only, and forgets revoked and expired ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomtone-tokens-'));
    const c = { t: Date.now() };
    const store = Store.open(dir);
    const { account: a } = store.createAccount('a', null);
    const { account: b } = store.createAccount('b', a.id);
    const first = new Tokens({ store, ttlMs: 60_000, now: () => c.t });
    const kept = first.issue(a.id);
    const revoked = first.issue(a.id);
    const short = new Tokens({ store, ttlMs: 1_000, now: () => c.t }).issue(b.id);
    first.revoke(revoked);
    const raw = JSON.stringify(store.liveTokens(0));
    expect(raw).not.toContain(kept); // only sha256 digests are written
    c.t += 2_000; // `short` has expired
    const second = new Tokens({ store, ttlMs: 60_000, now: () => c.t });
    expect(second.accountOf(kept)).toBe(a.id);
    expect(second.accountOf(revoked)).toBeUndefined();
    expect(second.accountOf(short)).toBeUndefined();
    expect(store.liveTokens(0)).toHaveLength(1);
    second.revokeAccount(a.id);
    expect(new Tokens({ store, now: () => c.t }).accountOf(kept)).toBeUndefined();
    store.close();
  });
});
