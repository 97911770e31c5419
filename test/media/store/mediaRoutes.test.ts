// The media routes' handlers against a real Store and MediaStore (HttpApi does not route raw
// bodies yet), and readRawBody over a real HTTP server.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../../src/api/App.js';
import { readRawBody } from '../../../src/api/http/readRawBody.js';
import type { RequestContext } from '../../../src/api/http/Route.js';
import { mediaRoutes } from '../../../src/api/routes/mediaRoutes.js';
import { InvalidArgumentError, NotFoundError, PayloadTooLargeError, ValidationError } from '../../../src/errors.js';
import { MEDIA_MAX_BYTES, MediaStore } from '../../../src/media/store/MediaStore.js';
import { Store } from '../../../src/store/Store.js';
import { makeWav, sine } from './fixtures.js';

let dir: string;
let store: Store;
let app: App;
let master: string;
let child: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roomtone-media-routes-'));
  store = Store.open(dir);
  master = store.createAccount('master', null).account.id;
  child = store.createAccount('child', master).account.id;
  app = { store, media: new MediaStore(store, dir) } as unknown as App;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(method: string, path: string, opts: { actor?: string; body?: unknown; contentType?: string } = {}) {
  for (const route of mediaRoutes) {
    if (route.method !== method) continue;
    const names: string[] = [];
    const re = new RegExp(`^${route.path.replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`);
    const m = re.exec(path);
    if (!m) continue;
    const params = Object.fromEntries(names.map((n, i) => [n, m[i + 1]]));
    const ctx: RequestContext & { contentType?: string } = {
      params, query: new URLSearchParams(), body: opts.body, requestId: 'r', actorId: opts.actor ?? master, authToken: 't', contentType: opts.contentType, remoteAddress: '127.0.0.1',
    };
    return route.handle(ctx, app);
  }
  throw new Error(`no route for ${method} ${path}`);
}

describe('media routes', () => {
  it('PUT creates (201), POST raw uploads, GET lists and reads, DELETE deletes', async () => {
    const created = await call('PUT', `/v2/accounts/${child}/media`, { body: { data: { name: 'Welcome' } } });
    expect(created.status).toBe(201);
    const doc = created.data as { id: string };
    expect(doc).toMatchObject({ name: 'Welcome', media_source: 'upload', duration_ms: null });
    expect(doc).not.toHaveProperty('url');

    const wav = makeWav(sine(1000), 1.5, { rate: 44100 });
    const uploaded = await call('POST', `/v2/accounts/${child}/media/${doc.id}/raw`, { body: wav, contentType: 'audio/x-wav' });
    expect(uploaded.data).toMatchObject({ id: doc.id, duration_ms: 1500 });

    expect((await call('GET', `/v2/accounts/${child}/media`)).data).toEqual([uploaded.data]);
    expect((await call('GET', `/v2/accounts/${child}/media/${doc.id}`)).data).toEqual(uploaded.data);
    expect((await call('DELETE', `/v2/accounts/${child}/media/${doc.id}`)).data).toEqual({ id: doc.id, _deleted: true });
    await expect(call('GET', `/v2/accounts/${child}/media/${doc.id}`)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('creates a URL media document', async () => {
    const { data } = await call('PUT', `/v2/accounts/${master}/media`, { body: { data: { name: 'r', url: 'https://example.com/a.ogg' } } });
    expect(data).toMatchObject({ media_source: 'url', url: 'https://example.com/a.ogg' });
    await expect(call('PUT', `/v2/accounts/${master}/media`, { body: { data: { name: 'r', url: 'file:///x' } } })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('validates the document and the upload', async () => {
    await expect(call('PUT', `/v2/accounts/${master}/media`, { body: { data: {} } })).rejects.toBeInstanceOf(ValidationError);
    await expect(call('PUT', `/v2/accounts/${master}/media`, { body: { name: 'x' } })).rejects.toBeInstanceOf(ValidationError);
    const { data } = await call('PUT', `/v2/accounts/${master}/media`, { body: { data: { name: 'x' } } });
    const raw = `/v2/accounts/${master}/media/${(data as { id: string }).id}/raw`;
    await expect(call('POST', raw, { body: { data: 'json' } })).rejects.toMatchObject({ field: 'file' });
    await expect(call('POST', raw, { body: Buffer.alloc(0) })).rejects.toMatchObject({ field: 'file' });
    await expect(call('POST', raw, { body: Buffer.from('garbage'), contentType: 'audio/wav' })).rejects.toMatchObject({ field: 'file' });
    await expect(call('POST', raw, { body: makeWav(sine(1), 0.1, { rate: 8000 }), contentType: 'video/mp4' })).rejects.toMatchObject({ field: 'content-type' });
    await expect(call('POST', `/v2/accounts/${master}/media/${'0'.repeat(32)}/raw`, { body: Buffer.from('x') })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('hides another branch\'s media: a child cannot reach its parent\'s', async () => {
    const { data } = await call('PUT', `/v2/accounts/${master}/media`, { body: { data: { name: 'x' } } });
    const id = (data as { id: string }).id;
    await expect(call('GET', `/v2/accounts/${master}/media`, { actor: child })).rejects.toBeInstanceOf(NotFoundError);
    await expect(call('GET', `/v2/accounts/${master}/media/${id}`, { actor: child })).rejects.toBeInstanceOf(NotFoundError);
    await expect(call('GET', `/v2/accounts/${child}/media/${id}`, { actor: child })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('declares the raw body for HttpApi: 20 MiB of WAV or Ogg', () => {
    const raw = mediaRoutes.find((r) => r.path.endsWith('/raw'))!;
    expect(raw.rawBody?.limit).toBe(MEDIA_MAX_BYTES);
    expect(raw.rawBody?.contentTypes).toEqual(expect.arrayContaining(['audio/wav', 'audio/x-wav', 'audio/ogg', 'application/octet-stream']));
    expect(mediaRoutes.filter((r) => r.rawBody)).toHaveLength(1);
  });
});

describe('readRawBody', () => {
  async function post(limit: number, body: Buffer, declare: boolean): Promise<{ status: number; text: string }> {
    const server = createServer(async (req, res) => {
      try {
        const bytes = await readRawBody(req, limit);
        res.end(`got ${bytes.length} ${bytes.equals(body)}`);
      } catch (e) {
        res.writeHead(e instanceof PayloadTooLargeError ? 413 : 500).end(String(e));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      return await new Promise((resolve, reject) => {
        const headers = declare ? { 'content-length': body.length } : {};
        const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST', headers }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        for (let at = 0; at < body.length; at += 16384) req.write(body.subarray(at, at + 16384));
        req.end();
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it('reads the bytes, and answers 413 over the limit, declared or streamed', async () => {
    const body = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i & 0xff));
    expect(await post(100_000, body, true)).toEqual({ status: 200, text: 'got 100000 true' });
    expect(await post(100_000, body, false)).toEqual({ status: 200, text: 'got 100000 true' });
    expect((await post(99_999, body, true)).status).toBe(413);
    expect((await post(99_999, body, false)).status).toBe(413);
  });
});
