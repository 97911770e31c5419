// The schema of roomtone.sqlite, as forward-only steps. Step i takes `PRAGMA user_version` from
// i to i + 1. Steps are append-only: once released, a step is never edited (a database that ran
// it would not run it again), so a change is always a new step at the end.

import type Database from 'better-sqlite3';
import { InvalidStateError } from '../errors.js';

export const MIGRATIONS: readonly string[] = [
  // 1: accounts with their key hash, conference documents, settings.
  `
  CREATE TABLE accounts (
    -- seq orders accounts by creation (the master is the first root) and survives VACUUM,
    -- which a bare rowid does not.
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    parent_id  TEXT REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    -- sha256 of the API key, the lookup index and the verifier at once (see Store.ts).
    key_sha256 BLOB NOT NULL UNIQUE
  );
  CREATE INDEX accounts_parent ON accounts(parent_id, seq);

  CREATE TABLE conferences (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    doc        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX conferences_account ON conferences(account_id, seq);

  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: media documents (uploaded or fetched audio; the decoded PCM lives in files, see MediaStore).
  `
  CREATE TABLE media (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('upload', 'url')),
    url         TEXT,
    -- null until audio has been uploaded (or, for a URL, first fetched).
    duration_ms INTEGER,
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX media_account ON media(account_id, seq);
  `,
  // 3: auth tokens, so that a restart logs nobody out; only their sha256 is kept (see Tokens.ts).
  `
  CREATE TABLE tokens (
    token_sha256 BLOB PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    -- Unix milliseconds.
    expires_at   INTEGER NOT NULL
  );
  CREATE INDEX tokens_expiry ON tokens(expires_at);
  CREATE INDEX tokens_account ON tokens(account_id);
  `,
  // 4: named documents an account keeps beside its conferences (conference profiles, caller-control groups).
  `
  CREATE TABLE named_docs (
    seq        INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name       TEXT NOT NULL,
    doc        TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (kind, account_id, name)
  );
  `,
];

/** Brings the database up to the latest version; each step commits on its own. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    // A newer roomtone wrote this file; running old code on it could corrupt data.
    throw new InvalidStateError(
      `database schema version ${current} is newer than this roomtone supports (${MIGRATIONS.length})`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      // user_version is written inside the step's transaction, so a crash leaves either
      // the old schema and version or the new ones, never a mix.
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
