import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidStateError, NotFoundError } from '../../src/errors.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { Store } from '../../src/store/Store.js';

// Real SQLite files in a fresh temp dir per test; nothing is mocked.

let dir: string;
let store: Store;
const dbFile = () => join(dir, 'roomtone.sqlite');
const HEX32 = /^[0-9a-f]{32}$/;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roomtone-store-'));
  store = Store.open(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('opening', () => {
  it('creates the data dir and a WAL database at the latest schema version', () => {
    const nested = join(dir, 'a', 'b');
    Store.open(nested).close();
    const db = new Database(join(nested, 'roomtone.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('migrates an empty (zero-byte) file', () => {
    const sub = join(dir, 'empty');
    mkdirSync(sub);
    writeFileSync(join(sub, 'roomtone.sqlite'), '');
    const s = Store.open(sub);
    expect(s.master()).toBeUndefined();
    s.createAccount('m', null);
    s.close();
    const db = new Database(join(sub, 'roomtone.sqlite'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('refuses a database written by a newer schema', () => {
    const sub = join(dir, 'newer');
    mkdirSync(sub);
    const db = new Database(join(sub, 'roomtone.sqlite'));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => Store.open(sub)).toThrow(InvalidStateError);
  });

  it('close is idempotent, checkpoints the WAL, and later calls fail as InvalidStateError', () => {
    store.createAccount('m', null);
    store.close();
    store.close(); // idempotent
    const wal = `${dbFile()}-wal`;
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    expect(() => store.master()).toThrow(InvalidStateError);
  });
});

describe('accounts and keys', () => {
  it('creates a master with a generated 64-hex key that finds it again', () => {
    const before = Date.now();
    const { account, apiKey } = store.createAccount('Master', null);
    expect(account).toMatchObject({ id: expect.stringMatching(HEX32), name: 'Master', parentId: null });
    expect(account.createdAt).toBeGreaterThanOrEqual(before);
    expect(apiKey).toMatch(/^[0-9a-f]{64}$/);
    expect(store.accountByApiKey(apiKey)).toEqual(account);
    expect(store.account(account.id)).toEqual(account);
    expect(store.master()).toEqual(account);
  });

  it('returns undefined for a wrong, empty or oversized key', () => {
    const { apiKey } = store.createAccount('m', null);
    const wrong = (apiKey[0] === 'a' ? 'b' : 'a') + apiKey.slice(1);
    expect(store.accountByApiKey(wrong)).toBeUndefined();
    expect(store.accountByApiKey(apiKey.toUpperCase())).toBeUndefined();
    expect(store.accountByApiKey('')).toBeUndefined();
    expect(store.accountByApiKey('x'.repeat(100_000))).toBeUndefined();
    expect(store.account('0'.repeat(32))).toBeUndefined();
  });

  it('accepts a supplied key of 32+ characters and rejects short or reused ones', () => {
    const given = 'k'.repeat(40);
    const { account, apiKey } = store.createAccount('m', null, given);
    expect(apiKey).toBe(given);
    expect(store.accountByApiKey(given)?.id).toBe(account.id);
    expect(() => store.createAccount('c', account.id, 'short')).toThrow(InvalidArgumentError);
    expect(() => store.createAccount('c', account.id, given)).toThrow(/apiKey is already in use/);
    expect(store.listAccounts(account.id)).toEqual([]); // the failed creations left nothing behind
  });

  it('rejects a second root, an unknown parent and an empty name', () => {
    store.createAccount('m', null);
    expect(() => store.createAccount('other', null)).toThrow(InvalidStateError);
    expect(() => store.createAccount('c', 'f'.repeat(32))).toThrow(NotFoundError);
    expect(() => store.createAccount('  ', store.master()!.id)).toThrow(InvalidArgumentError);
  });

  it('never writes the raw key (text or bytes) to the database files', () => {
    const keys = [store.createAccount('m', null).apiKey];
    const master = store.master()!.id;
    for (let i = 0; i < 5; i++) keys.push(store.createAccount(`c${i}`, master).apiKey);
    keys.push(store.createAccount('given', master, 'my-own-long-api-key-0123456789abcdef').apiKey);
    const check = (bytes: Buffer) => {
      for (const k of keys) {
        expect(bytes.includes(Buffer.from(k, 'utf8'))).toBe(false);
        if (/^[0-9a-f]+$/.test(k)) expect(bytes.includes(Buffer.from(k, 'hex'))).toBe(false);
      }
    };
    // While open the new pages are in the WAL; after close they are in the main file.
    const wal = `${dbFile()}-wal`;
    expect(statSync(wal).size).toBeGreaterThan(0);
    check(readFileSync(wal));
    check(readFileSync(dbFile()));
    store.close();
    const bytes = readFileSync(dbFile());
    expect(bytes.includes(Buffer.from('given', 'utf8'))).toBe(true); // the probe can see rows
    check(bytes);
  });

  it('canActOn: self and ancestors, never sideways or upwards', () => {
    const m = store.createAccount('m', null).account.id;
    const c = store.createAccount('c', m).account.id;
    const g = store.createAccount('g', c).account.id;
    const s = store.createAccount('sibling', m).account.id;
    for (const [actor, target] of [[m, m], [m, c], [m, g], [c, c], [c, g], [g, g], [m, s]]) {
      expect(store.canActOn(actor, target), `${actor}→${target}`).toBe(true);
    }
    for (const [actor, target] of [[c, m], [g, c], [g, m], [s, c], [s, g], [c, s]]) {
      expect(store.canActOn(actor, target), `${actor}→${target}`).toBe(false);
    }
    const unknown = '0'.repeat(32);
    expect([store.canActOn(unknown, g), store.canActOn(m, unknown), store.canActOn(unknown, unknown)]).toEqual([false, false, false]);
  });

  it('lists direct children only, oldest first', () => {
    const m = store.createAccount('m', null).account.id;
    const a = store.createAccount('a', m).account;
    const b = store.createAccount('b', m).account;
    store.createAccount('grandchild', a.id);
    expect(store.listAccounts(m)).toEqual([a, b]);
    expect(store.listAccounts(b.id)).toEqual([]);
  });
});

describe('conferences', () => {
  let m: string;
  let c: string;
  beforeEach(() => {
    m = store.createAccount('m', null).account.id;
    c = store.createAccount('c', m).account.id;
  });

  it('create, read, list, replace and delete', () => {
    const doc = store.createConference(c, { name: 'standup', member: { pins: ['1234'] }, id: 'ignored' });
    expect(doc.id).toMatch(HEX32);
    expect(doc).toEqual({ id: doc.id, name: 'standup', member: { pins: ['1234'] } });
    expect(store.conference(c, doc.id)).toEqual(doc);
    const other = store.createConference(c, { name: 'retro' });
    expect(store.listConferences(c).map((d) => d.name)).toEqual(['standup', 'retro']);

    const replaced = store.replaceConference(c, doc.id, { name: 'daily', id: 'f'.repeat(32) });
    expect(replaced).toEqual({ id: doc.id, name: 'daily' }); // whole doc replaced, id kept
    expect(store.conference(c, doc.id)).toEqual(replaced);

    expect([store.deleteConference(c, doc.id), store.deleteConference(c, doc.id)]).toEqual([true, false]);
    expect(store.conference(c, doc.id)).toBeUndefined();
    expect(store.replaceConference(c, doc.id, { name: 'x' })).toBeUndefined();
    expect(store.listConferences(c)).toEqual([other]);
  });

  it("isolates accounts: another account (even the parent) cannot read, replace or delete a doc", () => {
    const doc = store.createConference(c, { name: 'private' });
    for (const actor of [m, store.createAccount('s', m).account.id]) {
      expect(store.conference(actor, doc.id)).toBeUndefined();
      expect(store.replaceConference(actor, doc.id, { name: 'hijacked' })).toBeUndefined();
      expect(store.deleteConference(actor, doc.id)).toBe(false);
      expect(store.listConferences(actor)).toEqual([]);
    }
    expect(store.conference(c, doc.id)).toEqual(doc);
  });

  it('rejects docs that are not JSON objects, and unknown accounts', () => {
    expect(() => store.createConference(c, [] as unknown as Record<string, unknown>)).toThrow(InvalidArgumentError);
    expect(() => store.createConference(c, { n: 1n })).toThrow(InvalidArgumentError);
    expect(() => store.createConference('0'.repeat(32), {})).toThrow(NotFoundError);
    expect(store.listConferences(c)).toEqual([]);
  });
});

describe('persistence', () => {
  it('a close and reopen loses nothing', () => {
    const { account: m, apiKey } = store.createAccount('m', null);
    const child = store.createAccount('c', m.id).account;
    const docs = Array.from({ length: 20 }, (_, i) => store.createConference(child.id, { name: `conf ${i}`, n: i }));
    store.setSetting('masterKeyPrinted', 'true');
    store.close();

    store = Store.open(dir);
    expect(store.master()).toEqual(m);
    expect(store.accountByApiKey(apiKey)).toEqual(m);
    expect(store.canActOn(m.id, child.id)).toBe(true);
    expect(store.listConferences(child.id)).toEqual(docs);
    expect(store.setting('masterKeyPrinted')).toBe('true');
    expect(store.setting('absent')).toBeUndefined();
    store.setSetting('masterKeyPrinted', 'again');
    expect(store.setting('masterKeyPrinted')).toBe('again');
  });
});
