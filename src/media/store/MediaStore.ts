// The media store: media documents in SQLite (table `media`, migration 2) and their audio,
// decoded and resampled once at upload, as raw 48 kHz mono s16le files:
//
//   <dataDir>/media/<account>/<id>.pcm     uploaded media
//   <dataDir>/media-cache/<sha256(url)>.pcm  media fetched from http(s) URLs, least recently used evicted
//
// Playback (PcmFileSource) only reads these files; it never decodes.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, InvalidStateError, NotFoundError, PayloadTooLargeError, QuotaError } from '../../errors.js';
import { AddressPolicy } from '../../net/addressPolicy.js';
import type { Store } from '../../store/Store.js';
import { checkMediaUrl, fetchBytes } from './fetchUrl.js';
import { decodeOggOpus, isOgg } from './oggOpusDecode.js';
import { resampleTo48k, TARGET_RATE } from './resampleTo48k.js';
import { decodeWav, isWav } from './wavDecode.js';

export const MEDIA_MAX_BYTES = 20 * 1024 * 1024;
export const MEDIA_MAX_SECONDS = 600;
export const MEDIA_CONTENT_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/ogg', 'audio/opus', 'application/octet-stream'] as const;

export type MediaSource = 'upload' | 'url';

export interface MediaDoc {
  /** 32 lowercase hex characters. */
  id: string;
  name: string;
  source: MediaSource;
  url: string | null;
  /** Null until there is audio (uploaded, or for a URL, first fetched). */
  duration_ms: number | null;
  /** Unix milliseconds. */
  created_at: number;
}

export interface MediaStoreOptions {
  maxUploadBytes?: number;
  maxSeconds?: number;
  fetchMaxBytes?: number;
  fetchTimeoutMs?: number;
  cacheMaxFiles?: number;
  cacheMaxBytes?: number;
  /** Media documents one account may hold (quota `media_items`, 429). */
  maxItemsPerAccount?: number;
  /** Bytes of decoded audio one account may store (quota `media_bytes`, 413); 96 bytes a millisecond. */
  maxBytesPerAccount?: number;
  /**
   * CIDR ranges a media URL may reach although they are refused by default (loopback, private,
   * link-local... see src/net/addressPolicy.ts). Default: none, only public addresses.
   */
  fetchAllow?: readonly string[];
}

const HEX32 = /^[0-9a-f]{32}$/;
const COLUMNS = 'id, name, source, url, duration_ms, created_at';
const BYTES_PER_MS = (TARGET_RATE / 1000) * 2;
const STALE_TMP_MS = 10 * 60_000;

/** Decodes a WAV or Ogg Opus file, recognised by its content, to 48 kHz mono. */
export function decodeMedia(bytes: Uint8Array, maxSeconds = MEDIA_MAX_SECONDS): Int16Array {
  if (isOgg(bytes)) return decodeOggOpus(bytes, { maxSeconds });
  if (isWav(bytes)) {
    const { rate, samples } = decodeWav(bytes, { maxSeconds });
    return resampleTo48k(samples, rate);
  }
  throw new InvalidArgumentError('file', 'is neither a WAV nor an Ogg Opus file');
}

export class MediaStore {
  readonly #store: Store;
  readonly #mediaDir: string;
  readonly #cacheDir: string;
  readonly #o: Required<Omit<MediaStoreOptions, 'fetchAllow'>>;
  readonly #policy: AddressPolicy;
  readonly #fetching = new Map<string, Promise<string>>();

  constructor(store: Store, dataDir: string, options: MediaStoreOptions = {}) {
    this.#store = store;
    this.#mediaDir = join(dataDir, 'media');
    this.#cacheDir = join(dataDir, 'media-cache');
    const { fetchAllow, ...limits } = options;
    this.#policy = new AddressPolicy(fetchAllow, 'fetchAllow');
    this.#o = {
      maxUploadBytes: MEDIA_MAX_BYTES,
      maxSeconds: MEDIA_MAX_SECONDS,
      fetchMaxBytes: MEDIA_MAX_BYTES,
      fetchTimeoutMs: 10_000,
      cacheMaxFiles: 200,
      cacheMaxBytes: 500 * 1024 * 1024,
      maxItemsPerAccount: 200,
      maxBytesPerAccount: 1024 * 1024 * 1024,
      ...limits,
    };
  }

  /** A new media document without audio; with `url`, one whose audio is fetched from it. */
  create(accountId: string, input: { name: string; url?: string }): MediaDoc {
    checkAccount(accountId);
    if (typeof input?.name !== 'string' || input.name.trim() === '' || input.name.length > 128) {
      throw new InvalidArgumentError('name', 'must be a non-empty string of at most 128 characters');
    }
    const url = input.url === undefined ? null : checkMediaUrl(input.url).href;
    if (!this.#store.account(accountId)) throw new NotFoundError('account', accountId);
    const held = (this.#store.database.prepare('SELECT COUNT(*) AS n FROM media WHERE account_id = ?').get(accountId) as { n: number }).n;
    const limit = this.#o.maxItemsPerAccount;
    if (held >= limit) throw new QuotaError('media_items', limit, `the account holds ${held} media documents, its quota`, 'rate_limited');
    const doc: MediaDoc = { id: randomBytes(16).toString('hex'), name: input.name, source: url ? 'url' : 'upload', url, duration_ms: null, created_at: Date.now() };
    const sql = `INSERT INTO media (${COLUMNS}, account_id) VALUES (?, ?, ?, ?, ?, ?, ?)`;
    this.#store.database.prepare(sql).run(doc.id, doc.name, doc.source, doc.url, null, doc.created_at, accountId);
    return doc;
  }

  get(accountId: string, id: string): MediaDoc | undefined {
    if (!HEX32.test(id) || !HEX32.test(accountId)) return undefined;
    return this.#store.database.prepare(`SELECT ${COLUMNS} FROM media WHERE id = ? AND account_id = ?`).get(id, accountId) as MediaDoc | undefined;
  }

  /** The account's media, oldest first. */
  list(accountId: string): MediaDoc[] {
    checkAccount(accountId);
    return this.#store.database.prepare(`SELECT ${COLUMNS} FROM media WHERE account_id = ? ORDER BY seq`).all(accountId) as MediaDoc[];
  }

  /** One page of the account's media, oldest first, from the one whose id is `startKey` (Store.page). */
  page(accountId: string, startKey: string | undefined, pageSize: number): { docs: MediaDoc[]; nextStartKey: string | undefined } {
    checkAccount(accountId);
    const { rows, nextStartKey } = this.#store.page<MediaDoc>('media', COLUMNS, accountId, startKey, pageSize);
    return { docs: rows, nextStartKey };
  }

  /** Deletes the document and its audio; false when there was none. */
  delete(accountId: string, id: string): boolean {
    if (!this.get(accountId, id)) return false;
    this.#store.database.prepare('DELETE FROM media WHERE id = ? AND account_id = ?').run(id, accountId);
    rmSync(this.#pathOf(accountId, id), { force: true });
    return true;
  }

  /**
   * Decodes a WAV or Ogg Opus upload (by content), stores it as 48 kHz PCM and makes the
   * document an upload. Decoding runs on this thread (about a second for a long 44.1 kHz WAV).
   */
  async upload(accountId: string, id: string, bytes: Buffer, contentType: string | undefined): Promise<{ duration_ms: number }> {
    if (!this.get(accountId, id)) throw new NotFoundError('media', id);
    const type = (contentType ?? 'application/octet-stream').split(';')[0].trim().toLowerCase();
    if (!(MEDIA_CONTENT_TYPES as readonly string[]).includes(type)) {
      throw new InvalidArgumentError('content-type', `must be one of ${MEDIA_CONTENT_TYPES.join(', ')}`);
    }
    if (bytes.length > this.#o.maxUploadBytes) throw new PayloadTooLargeError(this.#o.maxUploadBytes);
    const pcm = decodeMedia(bytes, this.#o.maxSeconds);
    const sql0 = 'SELECT COALESCE(SUM(duration_ms), 0) AS ms FROM media WHERE account_id = ? AND id != ?';
    const storedBytes = (this.#store.database.prepare(sql0).get(accountId, id) as { ms: number }).ms * BYTES_PER_MS;
    const max = this.#o.maxBytesPerAccount;
    if (storedBytes + pcm.byteLength > max) {
      throw new QuotaError('media_bytes', max, `the account stores ${storedBytes} bytes of audio; this one (${pcm.byteLength}) would pass its quota`, 'payload_too_large');
    }
    const path = this.#pathOf(accountId, id);
    await writeAtomically(path, pcm);
    const duration = Math.round(pcm.length / (TARGET_RATE / 1000));
    const sql = "UPDATE media SET source = 'upload', url = NULL, duration_ms = ? WHERE id = ? AND account_id = ?";
    if (this.#store.database.prepare(sql).run(duration, id, accountId).changes === 0) {
      await rm(path, { force: true }); // deleted while we decoded
      throw new NotFoundError('media', id);
    }
    return { duration_ms: duration };
  }

  /**
   * The path of a 48 kHz mono s16le file for a media id of the account or an http(s) URL
   * (fetched once, then served from the cache).
   */
  async resolve(accountId: string, mediaIdOrUrl: string): Promise<string> {
    if (typeof mediaIdOrUrl !== 'string') throw new InvalidArgumentError('media_id', 'must be a string');
    if (/^[a-z][a-z0-9+.-]*:/i.test(mediaIdOrUrl)) return this.#cached(checkMediaUrl(mediaIdOrUrl).href);
    const doc = this.get(accountId, mediaIdOrUrl);
    if (!doc) throw new NotFoundError('media', mediaIdOrUrl);
    if (doc.source === 'url' && doc.url) {
      const path = await this.#cached(doc.url);
      if (doc.duration_ms === null) {
        const ms = Math.round((await stat(path)).size / BYTES_PER_MS);
        this.#store.database.prepare('UPDATE media SET duration_ms = ? WHERE id = ? AND account_id = ?').run(ms, doc.id, accountId);
      }
      return path;
    }
    if (doc.duration_ms === null) throw new InvalidStateError(`media ${doc.id} has no audio yet: upload it to .../media/${doc.id}/raw`);
    return this.#pathOf(accountId, doc.id);
  }

  #pathOf(accountId: string, id: string): string {
    return join(this.#mediaDir, accountId, `${id}.pcm`);
  }

  /** One fetch per URL at a time; a hit refreshes the file's time, which eviction goes by. */
  #cached(url: string): Promise<string> {
    const hash = createHash('sha256').update(url).digest('hex');
    let pending = this.#fetching.get(hash);
    if (!pending) {
      pending = this.#fetchToCache(url, join(this.#cacheDir, `${hash}.pcm`));
      this.#fetching.set(hash, pending);
      const forget = () => this.#fetching.delete(hash);
      pending.then(forget, forget);
    }
    return pending;
  }

  async #fetchToCache(url: string, path: string): Promise<string> {
    const now = new Date();
    try {
      await utimes(path, now, now);
      return path;
    } catch {
      // not cached (or just evicted): fetch it
    }
    const bytes = await fetchBytes(url, {
      maxBytes: this.#o.fetchMaxBytes,
      timeoutMs: this.#o.fetchTimeoutMs,
      policy: this.#policy,
    });
    await writeAtomically(path, decodeMedia(bytes, this.#o.maxSeconds));
    await this.#evict();
    return path;
  }

  /** Keeps the newest cacheMaxFiles files within cacheMaxBytes; drops stale temporary files. */
  async #evict(): Promise<void> {
    const names = await readdir(this.#cacheDir);
    const files: { path: string; size: number; mtime: number; tmp: boolean }[] = [];
    for (const name of names) {
      try {
        const s = await stat(join(this.#cacheDir, name));
        files.push({ path: join(this.#cacheDir, name), size: s.size, mtime: s.mtimeMs, tmp: !name.endsWith('.pcm') });
      } catch {
        // removed meanwhile
      }
    }
    files.sort((a, b) => b.mtime - a.mtime);
    let count = 0;
    let bytes = 0;
    for (const f of files) {
      if (f.tmp) {
        if (Date.now() - f.mtime > STALE_TMP_MS) await rm(f.path, { force: true });
        continue;
      }
      count++;
      bytes += f.size;
      if (count > this.#o.cacheMaxFiles || bytes > this.#o.cacheMaxBytes) await rm(f.path, { force: true });
    }
  }
}

function checkAccount(accountId: string): void {
  if (typeof accountId !== 'string' || !HEX32.test(accountId)) throw new InvalidArgumentError('account', 'must be 32 hex characters');
}

/** Writes beside the target and renames, so a reader never sees half a file. */
async function writeAtomically(path: string, pcm: Int16Array): Promise<void> {
  const dir = join(path, '..');
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
