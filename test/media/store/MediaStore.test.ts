import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidStateError, NotFoundError, PayloadTooLargeError } from '../../../src/errors.js';
import { MEDIA_MAX_BYTES, MediaStore } from '../../../src/media/store/MediaStore.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { Store } from '../../../src/store/Store.js';
import { goertzelDb } from '../../helpers/audio.js';
import { makeWav, oggSine, sine } from './fixtures.js';

const RATE = 48000;
let dir: string;
let store: Store;
let media: MediaStore;
let account: string;
let other: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roomtone-media-store-'));
  store = Store.open(dir);
  account = store.createAccount('master', null).account.id;
  other = store.createAccount('other', account).account.id;
  media = new MediaStore(store, dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const readPcm = (path: string) => {
  const b = readFileSync(path);
  return new Int16Array(b.buffer, b.byteOffset, b.length / 2);
};

async function rejects(p: Promise<unknown>, cls: new (...args: never[]) => Error, field?: string): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(cls);
  if (field) expect((e as InvalidArgumentError).field).toBe(field);
}

describe('MediaStore', () => {
  it('adds the media table in a new migration', () => {
    const db = new Database(join(dir, 'roomtone.sqlite'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'media'").get()).toBeTruthy();
    db.close();
  });

  it('creates, uploads (WAV at 44.1 kHz), lists, resolves and deletes, and survives a reopen', async () => {
    const doc = media.create(account, { name: 'Welcome' });
    expect(doc).toMatchObject({ name: 'Welcome', source: 'upload', url: null, duration_ms: null });
    expect(doc.id).toMatch(/^[0-9a-f]{32}$/);
    await rejects(media.resolve(account, doc.id), InvalidStateError);

    const { duration_ms } = await media.upload(account, doc.id, makeWav(sine(1000), 2, { rate: 44100, channels: 2 }), 'audio/wav');
    expect(duration_ms).toBe(2000);
    const path = await media.resolve(account, doc.id);
    expect(path).toBe(join(dir, 'media', account, `${doc.id}.pcm`));
    expect(statSync(path).size).toBe(2 * RATE * 2);
    expect(goertzelDb(readPcm(path).subarray(RATE / 2, RATE + RATE / 2), 1000, RATE)).toBeCloseTo(-6.02, 1);

    store.close();
    store = Store.open(dir);
    media = new MediaStore(store, dir);
    expect(media.get(account, doc.id)).toEqual({ ...doc, duration_ms: 2000 });
    expect(media.list(account).map((d) => d.id)).toEqual([doc.id]);

    expect(media.delete(account, doc.id)).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(media.get(account, doc.id)).toBeUndefined();
    expect(media.delete(account, doc.id)).toBe(false);
    await rejects(media.resolve(account, doc.id), NotFoundError);
  });

  it('takes Ogg Opus uploads, and replaces the audio on a second upload', async () => {
    const doc = media.create(account, { name: 'hold music' });
    expect((await media.upload(account, doc.id, oggSine(440, 1), 'audio/ogg; codecs=opus')).duration_ms).toBeCloseTo(1000, -2);
    expect((await media.upload(account, doc.id, makeWav(sine(1000), 0.5, { rate: 8000 }), 'application/octet-stream')).duration_ms).toBe(500);
    expect(statSync(await media.resolve(account, doc.id)).size).toBe(RATE);
  });

  it('keeps accounts apart', async () => {
    const doc = media.create(account, { name: 'mine' });
    media.create(other, { name: 'theirs' });
    expect(media.get(other, doc.id)).toBeUndefined();
    expect(media.list(other).map((d) => d.name)).toEqual(['theirs']);
    expect(media.delete(other, doc.id)).toBe(false);
    await rejects(media.upload(other, doc.id, makeWav(sine(1000), 0.1, { rate: 8000 }), 'audio/wav'), NotFoundError);
    await rejects(media.resolve(other, doc.id), NotFoundError);
  });

  it('refuses bad uploads and leaves the document as it was', async () => {
    const doc = media.create(account, { name: 'x' });
    await rejects(media.upload(account, doc.id, Buffer.from('not audio at all'), 'audio/wav'), InvalidArgumentError, 'file');
    await rejects(media.upload(account, doc.id, makeWav(sine(1000), 0.1, { rate: 8000 }), 'text/plain'), InvalidArgumentError, 'content-type');
    await rejects(media.upload(account, doc.id, Buffer.alloc(MEDIA_MAX_BYTES + 1), 'audio/wav'), PayloadTooLargeError);
    // Eleven minutes of 8 kHz 8-bit audio: 5 MB, under the byte limit, over the ten minutes.
    const long = makeWav(() => 0, 660, { rate: 8000, bits: 8 });
    await rejects(media.upload(account, doc.id, long, 'audio/x-wav'), InvalidArgumentError, 'file');
    expect(media.get(account, doc.id)?.duration_ms).toBeNull();
    expect(existsSync(join(dir, 'media', account, `${doc.id}.pcm`))).toBe(false);
  });

  it('validates names, URLs and ids', async () => {
    expect(() => media.create(account, { name: '' })).toThrow(InvalidArgumentError);
    expect(() => media.create(account, { name: 'x'.repeat(129) })).toThrow(InvalidArgumentError);
    for (const url of ['file:///etc/passwd', 'ftp://example.com/a.wav', 'not a url', 'gopher://x']) {
      expect(() => media.create(account, { name: 'u', url })).toThrow(InvalidArgumentError);
      if (url.includes(':')) await rejects(media.resolve(account, url), InvalidArgumentError, 'url');
    }
    expect(() => media.create('../../etc', { name: 'x' })).toThrow(InvalidArgumentError);
    expect(() => media.create('f'.repeat(32), { name: 'x' })).toThrow(NotFoundError);
    expect(media.get(account, '../../../x')).toBeUndefined();
    await rejects(media.resolve(account, '../../../x'), NotFoundError);
    const byUrl = media.create(account, { name: 'remote', url: 'https://example.com/a.wav' });
    expect(byUrl).toMatchObject({ source: 'url', url: 'https://example.com/a.wav', duration_ms: null });
  });
});
