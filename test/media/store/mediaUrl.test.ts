import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { MediaStore, type MediaStoreOptions } from '../../../src/media/store/MediaStore.js';
import { Store } from '../../../src/store/Store.js';
import { goertzelDb } from '../../helpers/audio.js';
import { httpTarget, type Handler, type HttpTarget } from '../../helpers/httpTarget.js';
import { makeWav, oggSine, sine } from './fixtures.js';

const RATE = 48000;
const WAV = makeWav(sine(1000), 1, { rate: 16000 });
let OGG: Buffer;
let server: Server;
let base: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  OGG = oggSine(440, 0.5);
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    if (path === '/tone.wav') return void res.end(WAV);
    if (path === '/tone.ogg') return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(OGG);
    if (path === '/declared-big') return void res.writeHead(200, { 'content-length': 50_000 }).end(Buffer.alloc(50_000));
    if (path === '/chunked-big') {
      // No Content-Length: the limit is found while reading.
      for (let i = 0; i < 10; i++) res.write(Buffer.alloc(10_000));
      return void res.end();
    }
    if (path === '/slow-headers') return; // never answers
    if (path === '/slow-body') {
      res.writeHead(200);
      res.write(WAV.subarray(0, 100));
      return; // the rest never comes
    }
    if (path === '/redirect') return void res.writeHead(302, { location: '/tone.wav' }).end();
    if (path === '/redirect-file') return void res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    if (path === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
    if (path === '/text') return void res.end('<html>not audio</html>');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let dir: string;
let store: Store;
let account: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roomtone-media-url-'));
  store = Store.open(dir);
  account = store.createAccount('master', null).account.id;
  hits.clear();
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

// The test server is on loopback, which the address policy refuses unless allowed.
const open = (o: MediaStoreOptions = {}) => new MediaStore(store, dir, { fetchMaxBytes: 40_000, fetchTimeoutMs: 400, fetchAllow: ['127.0.0.0/8'], ...o });

async function urlError(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(InvalidArgumentError);
  expect((e as InvalidArgumentError).field).toBe('url');
  return (e as Error).message;
}

describe('MediaStore.resolve of a URL', () => {
  it('fetches and decodes a WAV once, then serves it from the cache without a request', async () => {
    const media = open();
    const path = await media.resolve(account, `${base}/tone.wav`);
    expect(path.startsWith(join(dir, 'media-cache'))).toBe(true);
    const b = readFileSync(path);
    const pcm = new Int16Array(b.buffer, b.byteOffset, b.length / 2);
    expect(pcm.length).toBe(RATE);
    expect(goertzelDb(pcm.subarray(RATE / 4, (3 * RATE) / 4), 1000, RATE)).toBeCloseTo(-6.02, 1);
    expect(await media.resolve(account, `${base}/tone.wav`)).toBe(path);
    expect(await open().resolve(account, `${base}/tone.wav`)).toBe(path); // a restart keeps the cache
    expect(hits.get('/tone.wav')).toBe(1);
  });

  it('decodes by content (Ogg served as octet-stream), follows redirects, and fetches concurrent resolves once', async () => {
    const media = open();
    const [a, b] = await Promise.all([media.resolve(account, `${base}/tone.ogg`), media.resolve(account, `${base}/tone.ogg`)]);
    expect(a).toBe(b);
    expect(hits.get('/tone.ogg')).toBe(1);
    expect(Math.abs(statSync(a).size / 96 - 500)).toBeLessThanOrEqual(20);
    expect(statSync(await media.resolve(account, `${base}/redirect`)).size).toBe(RATE * 2);
  });

  it('resolves a media document created with a URL, and records its duration', async () => {
    const media = open();
    const doc = media.create(account, { name: 'remote', url: `${base}/tone.wav` });
    const path = await media.resolve(account, doc.id);
    expect(statSync(path).size).toBe(RATE * 2);
    expect(media.get(account, doc.id)?.duration_ms).toBe(1000);
  });

  it('refuses a body over the byte limit, declared or not', async () => {
    const media = open();
    expect(await urlError(media.resolve(account, `${base}/declared-big`))).toMatch(/larger than 40000 bytes/);
    expect(await urlError(media.resolve(account, `${base}/chunked-big`))).toMatch(/larger than 40000 bytes/);
  });

  it('gives up on a slow server at the time limit', async () => {
    const media = open();
    for (const path of ['/slow-headers', '/slow-body']) {
      const t = performance.now();
      expect(await urlError(media.resolve(account, `${base}${path}`))).toMatch(/within 0.4 s/);
      expect(performance.now() - t).toBeLessThan(2000);
    }
  });

  it('refuses HTTP errors, redirects away from http(s), redirect loops, non-audio and disallowed addresses', async () => {
    const media = open();
    expect(await urlError(media.resolve(account, `${base}/missing.wav`))).toMatch(/HTTP 404/);
    expect(await urlError(media.resolve(account, `${base}/redirect-file`))).toMatch(/http or https/);
    expect(await urlError(media.resolve(account, `${base}/loop`))).toMatch(/redirects too many times/);
    const e = await media.resolve(account, `${base}/text`).catch((err: unknown) => err);
    expect((e as InvalidArgumentError).field).toBe('file');
    const strict = open({ fetchAllow: ['127.0.0.2/32'] });
    expect(await urlError(strict.resolve(account, `${base}/tone.wav`))).toMatch(/address not allowed$/);
    expect(hits.get('/tone.wav')).toBeUndefined();
    expect(await open({ fetchAllow: ['127.0.0.1/32'] }).resolve(account, `${base}/tone.wav`)).toContain('media-cache');
    expect(readdirSync(join(dir, 'media-cache')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps at most cacheMaxFiles files, evicting the least recently used', async () => {
    const media = open({ cacheMaxFiles: 2 });
    const first = await media.resolve(account, `${base}/tone.wav?1`);
    await new Promise((r) => setTimeout(r, 20));
    const second = await media.resolve(account, `${base}/tone.wav?2`);
    await new Promise((r) => setTimeout(r, 20));
    await media.resolve(account, `${base}/tone.wav?1`); // a hit: now the most recent
    await new Promise((r) => setTimeout(r, 20));
    await media.resolve(account, `${base}/tone.wav?3`);
    const files = readdirSync(join(dir, 'media-cache'));
    expect(files).toHaveLength(2);
    expect(files).toContain(first.split('/').pop());
    expect(files).not.toContain(second.split('/').pop());
    expect(hits.get('/tone.wav?1')).toBe(1);
  });

  it('keeps the cache within cacheMaxBytes', async () => {
    const media = open({ cacheMaxBytes: RATE * 2 * 2 + 10 });
    for (let i = 0; i < 4; i++) await media.resolve(account, `${base}/tone.wav?b${i}`);
    expect(readdirSync(join(dir, 'media-cache'))).toHaveLength(2);
  });
});

describe('MediaStore.resolve: the outbound address policy', () => {
  let targets: HttpTarget[] = [];
  afterEach(async () => {
    for (const t of targets.splice(0)) await t.close();
  });
  const target = async (handler?: Handler, host?: string) => {
    const t = await httpTarget(handler, host);
    targets.push(t);
    return t;
  };
  const wavServer = () => target((_, res) => void res.writeHead(200, { 'content-type': 'audio/wav' }).end(WAV));
  const refusedStore = (o: MediaStoreOptions = {}) => new MediaStore(store, dir, { fetchMaxBytes: 40_000, fetchTimeoutMs: 400, ...o });

  it('by default never contacts a server on loopback: not by URL, not by media document, not by the name localhost', async () => {
    const t = await wavServer();
    const media = refusedStore();
    expect(await urlError(media.resolve(account, `${t.url}/a.wav`))).toBe('url resolves to an address not allowed');
    expect(await urlError(media.resolve(account, `http://localhost:${t.port}/a.wav`))).toMatch(/address not allowed/);
    const doc = media.create(account, { name: 'internal', url: `${t.url}/b.wav` });
    expect(await urlError(media.resolve(account, doc.id))).toMatch(/address not allowed/);
    expect(media.get(account, doc.id)?.duration_ms).toBeNull();
    expect(t.connections).toBe(0);
    expect(existsSync(join(dir, 'media-cache')) ? readdirSync(join(dir, 'media-cache')) : []).toEqual([]);
  });

  it('checks the redirect target: an allowed host (127.0.0.2) cannot redirect to a refused one (127.0.0.1)', async () => {
    const inner = await wavServer();
    const outer = await target((_, res) => void res.writeHead(302, { location: `${inner.url}/a.wav` }).end(), '127.0.0.2');
    expect(await urlError(refusedStore({ fetchAllow: ['127.0.0.2/32'] }).resolve(account, `${outer.url}/go`))).toMatch(/address not allowed/);
    expect(outer.requests).toEqual(['/go']);
    expect(inner.connections).toBe(0);
  });

  it('fetches from loopback once 127.0.0.0/8 is allowed, by address, by redirect and by localhost', async () => {
    const inner = await wavServer();
    const outer = await target((_, res) => void res.writeHead(302, { location: `${inner.url}/a.wav` }).end(), '127.0.0.2');
    const media = refusedStore({ fetchAllow: ['127.0.0.0/8'] });
    for (const url of [`${inner.url}/1.wav`, `${outer.url}/go`, `http://localhost:${inner.port}/2.wav`]) {
      expect(statSync(await media.resolve(account, url)).size).toBe(RATE * 2);
    }
    expect(inner.requests).toEqual(['/1.wav', '/a.wav', '/2.wav']);
  });

  it('refuses an allow list that does not parse, naming the option', () => {
    for (const fetchAllow of [['127.0.0.1/8'], ['10.0.0.0/33'], ['localhost'], ['']]) {
      const e = (() => {
        try {
          refusedStore({ fetchAllow });
        } catch (err) {
          return err;
        }
      })();
      expect(e, fetchAllow[0]).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).field).toBe('fetchAllow');
    }
  });
});
