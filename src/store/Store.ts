// Persistence for the conference server: accounts with their API keys, conference documents
// and a few settings, in one SQLite file.
//
// API keys are stored as sha256(key) only, with no salt and no KDF. Why that is enough: a salt
// defeats precomputed tables and a KDF slows guessing, and both matter only for secrets a person
// chose. Generated keys are 256 random bits, which no table or guessing reaches; a supplied key
// must be at least 32 characters, and making it random is the supplier's job. A lookup needs an index computable from the key alone,
// so any salted/scrypt verifier would sit beside an unsalted sha256 anyway and add no strength
// against someone holding the file; the single hash is the index and the verifier at once.

import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { InvalidArgumentError, InvalidStateError, NotFoundError } from '../errors.js';
import { migrate } from './migrations.js';

export interface Account {
  /** 32 lowercase hex characters. */
  id: string;
  name: string;
  parentId: string | null;
  /** Unix milliseconds. */
  createdAt: number;
}

export interface ConferenceDoc {
  /** 32 lowercase hex characters. */
  id: string;
  [key: string]: unknown;
}

interface AccountRow {
  id: string;
  name: string;
  parent_id: string | null;
  created_at: number;
}

const ACCOUNT_COLUMNS = 'id, name, parent_id, created_at';
const MIN_KEY_LENGTH = 32;
const MAX_KEY_LENGTH = 256;

const newId = (): string => randomBytes(16).toString('hex');
const newApiKey = (): string => randomBytes(32).toString('hex');
const keyHash = (apiKey: string): Buffer => createHash('sha256').update(apiKey, 'utf8').digest();

function toAccount(r: AccountRow): Account {
  return { id: r.id, name: r.name, parentId: r.parent_id, createdAt: r.created_at };
}

/** The doc as stored: a JSON object without `id`, which lives in its own column. */
function serialize(doc: Record<string, unknown>): string {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new InvalidArgumentError('doc', 'must be a JSON object');
  }
  const { id: _ignored, ...rest } = doc;
  try {
    return JSON.stringify(rest);
  } catch {
    throw new InvalidArgumentError('doc', 'must be serialisable as JSON');
  }
}

function toDoc(id: string, json: string): ConferenceDoc {
  return { ...(JSON.parse(json) as Record<string, unknown>), id };
}

/** The kinds of named documents an account keeps. */
export type NamedKind = 'conference_profile' | 'caller_controls' | 'account_settings';

/** An auth token as stored: its sha256, never the token itself. */
export interface StoredToken {
  hash: Buffer;
  accountId: string;
  /** Unix milliseconds. */
  expiresAt: number;
}

export class Store {
  private db: Database.Database | undefined;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** Opens (creating if needed) `<dataDir>/roomtone.sqlite` and migrates it to the latest schema. */
  static open(dataDir: string): Store {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Keys, tokens and documents: the server's user only, also for a directory made by an older version.
    chmodSync(dataDir, 0o700);
    const path = join(dataDir, 'roomtone.sqlite');
    for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
    const db = new Database(path);
    try {
      // WAL lets readers run during a write. Under WAL, NORMAL survives a process crash (only
      // an OS crash or power loss can drop the last commits) at far fewer fsyncs than FULL.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
    } catch (e) {
      db.close();
      throw e;
    }
    return new Store(db);
  }

  /** Idempotent. Folds the WAL into the main file, so copying roomtone.sqlite alone is a backup. */
  close(): void {
    if (!this.db) return;
    const db = this.db;
    this.db = undefined;
    this.statements.clear();
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  }

  private get live(): Database.Database {
    if (!this.db) throw new InvalidStateError('store is closed');
    return this.db;
  }

  /** The open database, for tables another module owns (media, see MediaStore). */
  get database(): Database.Database {
    return this.live;
  }

  /** Prepared once per SQL text: every request runs the same handful of statements. */
  private sql(text: string): Database.Statement {
    const db = this.live;
    let s = this.statements.get(text);
    if (!s) this.statements.set(text, (s = db.prepare(text)));
    return s;
  }

  // ---- accounts ----

  /**
   * Creates an account; `parentId` null creates the master, which must be the first and only
   * root. The returned apiKey is the only time the raw key exists: only its hash is stored.
   */
  createAccount(name: string, parentId: string | null, apiKey?: string): { account: Account; apiKey: string } {
    if (typeof name !== 'string' || name.trim() === '' || name.length > 256) {
      throw new InvalidArgumentError('name', 'must be a non-empty string of at most 256 characters');
    }
    const badKey = typeof apiKey !== 'string' || apiKey.length < MIN_KEY_LENGTH || apiKey.length > MAX_KEY_LENGTH;
    if (apiKey !== undefined && badKey) {
      throw new InvalidArgumentError('apiKey', `must be ${MIN_KEY_LENGTH} to ${MAX_KEY_LENGTH} characters`);
    }
    const key = apiKey ?? newApiKey();
    const db = this.live;
    return db.transaction(() => {
      if (parentId === null) {
        // Two roots would make master() ambiguous and leave accounts no one can administer.
        if (this.master()) throw new InvalidStateError('a master account already exists');
      } else if (!this.account(parentId)) {
        throw new NotFoundError('account', parentId);
      }
      const hash = keyHash(key);
      if (this.sql('SELECT 1 FROM accounts WHERE key_sha256 = ?').get(hash)) {
        throw new InvalidArgumentError('apiKey', 'is already in use');
      }
      const account: Account = { id: newId(), name, parentId, createdAt: Date.now() };
      const sql = 'INSERT INTO accounts (id, name, parent_id, created_at, key_sha256) VALUES (?, ?, ?, ?, ?)';
      this.sql(sql).run(account.id, name, parentId, account.createdAt, hash);
      return { account, apiKey: key };
    })();
  }

  /** Replaces an account's API key (the master's, when ROOMTONE_MASTER_API_KEY changes). */
  setApiKey(accountId: string, apiKey: string): void {
    if (typeof apiKey !== 'string' || apiKey.length < MIN_KEY_LENGTH || apiKey.length > MAX_KEY_LENGTH) {
      throw new InvalidArgumentError('apiKey', `must be ${MIN_KEY_LENGTH} to ${MAX_KEY_LENGTH} characters`);
    }
    const owner = this.accountByApiKey(apiKey);
    if (owner && owner.id !== accountId) throw new InvalidArgumentError('apiKey', 'is already in use');
    if (this.sql('UPDATE accounts SET key_sha256 = ? WHERE id = ?').run(keyHash(apiKey), accountId).changes === 0) {
      throw new NotFoundError('account', accountId);
    }
  }

  /** Tokens whose expiry is after `now` (Unix ms), soonest to expire first. */
  liveTokens(now: number): StoredToken[] {
    const rows = this.sql('SELECT token_sha256, account_id, expires_at FROM tokens WHERE expires_at > ? ORDER BY expires_at').all(now) as {
      token_sha256: Buffer;
      account_id: string;
      expires_at: number;
    }[];
    return rows.map((r) => ({ hash: r.token_sha256, accountId: r.account_id, expiresAt: r.expires_at }));
  }

  saveToken(t: StoredToken): void {
    this.sql('INSERT OR REPLACE INTO tokens (token_sha256, account_id, expires_at) VALUES (?, ?, ?)').run(t.hash, t.accountId, t.expiresAt);
  }

  deleteToken(hash: Buffer): void {
    this.sql('DELETE FROM tokens WHERE token_sha256 = ?').run(hash);
  }

  deleteExpiredTokens(now: number): void {
    this.sql('DELETE FROM tokens WHERE expires_at <= ?').run(now);
  }

  /** Gives an account a new random API key, returned once; the old one stops working at once. */
  rotateApiKey(accountId: string): string {
    const key = newApiKey();
    this.setApiKey(accountId, key);
    return key;
  }

  accountByApiKey(apiKey: string): Account | undefined {
    if (typeof apiKey !== 'string' || apiKey.length === 0 || apiKey.length > MAX_KEY_LENGTH) return undefined;
    // An equality lookup on the hash: timing reveals nothing about the key itself.
    const row = this.sql(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE key_sha256 = ?`).get(keyHash(apiKey));
    return row ? toAccount(row as AccountRow) : undefined;
  }

  account(id: string): Account | undefined {
    const row = this.sql(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`).get(id);
    return row ? toAccount(row as AccountRow) : undefined;
  }

  /** The master account (parentId null, created first). */
  master(): Account | undefined {
    const sql = `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE parent_id IS NULL ORDER BY seq LIMIT 1`;
    const row = this.sql(sql).get();
    return row ? toAccount(row as AccountRow) : undefined;
  }

  /** True when `actorId` is `accountId` itself or one of its ancestors. Unknown ids: false. */
  canActOn(actorId: string, accountId: string): boolean {
    // Walks up from the target to the root; the tree is shallow, and ids are unique so the
    // walk cannot loop (a parent always exists before its child).
    const row = this.sql(`
      WITH RECURSIVE up(id, parent_id) AS (
        SELECT id, parent_id FROM accounts WHERE id = ?
        UNION ALL
        SELECT a.id, a.parent_id FROM accounts a JOIN up ON a.id = up.parent_id
      )
      SELECT 1 FROM up WHERE id = ? LIMIT 1`).get(accountId, actorId);
    return row !== undefined;
  }

  /** The direct children of `parentId`, oldest first. */
  listAccounts(parentId: string): Account[] {
    const sql = `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE parent_id = ? ORDER BY seq`;
    const rows = this.sql(sql).all(parentId) as AccountRow[];
    return rows.map(toAccount);
  }

  // ---- conferences ----

  /** Stores `doc` under a new id; an `id` in `doc` is ignored. */
  createConference(accountId: string, doc: Record<string, unknown>): ConferenceDoc {
    const json = serialize(doc);
    if (!this.account(accountId)) throw new NotFoundError('account', accountId);
    const id = newId();
    const now = Date.now();
    const sql = 'INSERT INTO conferences (id, account_id, doc, created_at, updated_at) VALUES (?, ?, ?, ?, ?)';
    this.sql(sql).run(id, accountId, json, now, now);
    return toDoc(id, json);
  }

  /** The doc, or undefined when it does not exist or belongs to another account. */
  conference(accountId: string, id: string): ConferenceDoc | undefined {
    const sql = 'SELECT doc FROM conferences WHERE id = ? AND account_id = ?';
    const row = this.sql(sql).get(id, accountId) as { doc: string } | undefined;
    return row ? toDoc(id, row.doc) : undefined;
  }

  /** The account's own conferences (not its children's), oldest first. */
  listConferences(accountId: string): ConferenceDoc[] {
    const sql = 'SELECT id, doc FROM conferences WHERE account_id = ? ORDER BY seq';
    const rows = this.sql(sql).all(accountId) as { id: string; doc: string }[];
    return rows.map((r) => toDoc(r.id, r.doc));
  }

  /**
   * One page of the account's conferences, oldest first, from the one whose id is `startKey`
   * (the first page without it); `nextStartKey` is the first id of the next page, if any.
   */
  conferencePage(accountId: string, startKey: string | undefined, pageSize: number): { docs: ConferenceDoc[]; nextStartKey: string | undefined } {
    const { rows, nextStartKey } = this.page<{ id: string; doc: string }>('conferences', 'id, doc', accountId, startKey, pageSize);
    return { docs: rows.map((r) => toDoc(r.id, r.doc)), nextStartKey };
  }

  /**
   * One page of an account's rows of `table` (conferences, media), oldest first, from the row
   * whose id is `startKey`; `nextStartKey` is the first id of the next page, if any.
   */
  page<R extends { id: string }>(table: 'conferences' | 'media', columns: string, accountId: string, startKey: string | undefined, pageSize: number): { rows: R[]; nextStartKey: string | undefined } {
    // An unknown start key starts past the end: an empty page, not the first one again.
    const start = startKey === undefined ? undefined : (this.sql(`SELECT seq FROM ${table} WHERE id = ? AND account_id = ?`).get(startKey, accountId) as { seq: number } | undefined);
    const from = startKey === undefined ? -1 : (start?.seq ?? Number.MAX_SAFE_INTEGER);
    const rows = this.sql(`SELECT ${columns} FROM ${table} WHERE account_id = ? AND seq >= ? ORDER BY seq LIMIT ?`).all(accountId, from, pageSize + 1) as R[];
    const nextStartKey = rows.length > pageSize ? rows.pop()!.id : undefined;
    return { rows, nextStartKey };
  }

  /** Conferences of any account whose document mentions `text` as a JSON string (candidates for a number). */
  conferencesMentioning(text: string): { accountId: string; doc: ConferenceDoc }[] {
    const pattern = `%${JSON.stringify(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.sql("SELECT id, account_id, doc FROM conferences WHERE doc LIKE ? ESCAPE '\\' ORDER BY seq LIMIT 100").all(pattern) as { id: string; account_id: string; doc: string }[];
    return rows.map((r) => ({ accountId: r.account_id, doc: toDoc(r.id, r.doc) }));
  }

  /** A conference by id, in whichever account holds it. */
  conferenceAnywhere(id: string): { accountId: string; doc: ConferenceDoc } | undefined {
    const row = this.sql('SELECT account_id, doc FROM conferences WHERE id = ?').get(id) as { account_id: string; doc: string } | undefined;
    return row ? { accountId: row.account_id, doc: toDoc(id, row.doc) } : undefined;
  }

  countConferences(accountId: string): number {
    return (this.sql('SELECT COUNT(*) AS n FROM conferences WHERE account_id = ?').get(accountId) as { n: number }).n;
  }

  /** Replaces the whole doc, keeping its id; undefined when not found (or another account's). */
  replaceConference(accountId: string, id: string, doc: Record<string, unknown>): ConferenceDoc | undefined {
    const json = serialize(doc);
    const sql = 'UPDATE conferences SET doc = ?, updated_at = ? WHERE id = ? AND account_id = ?';
    const { changes } = this.sql(sql).run(json, Date.now(), id, accountId);
    return changes === 1 ? toDoc(id, json) : undefined;
  }

  deleteConference(accountId: string, id: string): boolean {
    return this.sql('DELETE FROM conferences WHERE id = ? AND account_id = ?').run(id, accountId).changes === 1;
  }

  // ---- named documents (conference profiles, caller-control groups) ----

  /** Creates or replaces the account's document of `kind` named `name`. */
  putNamed(kind: NamedKind, accountId: string, name: string, doc: Record<string, unknown>): void {
    const sql = `INSERT INTO named_docs (kind, account_id, name, doc, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(kind, account_id, name) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`;
    this.sql(sql).run(kind, accountId, name, serialize(doc), Date.now());
  }

  named(kind: NamedKind, accountId: string, name: string): Record<string, unknown> | undefined {
    const row = this.sql('SELECT doc FROM named_docs WHERE kind = ? AND account_id = ? AND name = ?').get(kind, accountId, name) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Record<string, unknown>) : undefined;
  }

  listNamed(kind: NamedKind, accountId: string): { name: string; doc: Record<string, unknown> }[] {
    const rows = this.sql('SELECT name, doc FROM named_docs WHERE kind = ? AND account_id = ? ORDER BY seq').all(kind, accountId) as { name: string; doc: string }[];
    return rows.map((r) => ({ name: r.name, doc: JSON.parse(r.doc) as Record<string, unknown> }));
  }

  countNamed(kind: NamedKind, accountId: string): number {
    return (this.sql('SELECT COUNT(*) AS n FROM named_docs WHERE kind = ? AND account_id = ?').get(kind, accountId) as { n: number }).n;
  }

  deleteNamed(kind: NamedKind, accountId: string, name: string): boolean {
    return this.sql('DELETE FROM named_docs WHERE kind = ? AND account_id = ? AND name = ?').run(kind, accountId, name).changes === 1;
  }

  // ---- settings ----

  setting(key: string): string | undefined {
    const row = this.sql('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setSetting(key: string, value: string): void {
    const sql = 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value';
    this.sql(sql).run(key, value);
  }
}
