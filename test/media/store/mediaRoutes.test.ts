// The media routes through the real HTTP API (fastify's inject) against a real Store and
// MediaStore: Kazoo envelopes, the raw upload's limit, and one branch's media hidden from another.
import { mkdtempSync, rmSync } from 'node:fs';
import { pino } from 'pino';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../../src/api/App.js';
import { createHttpApi } from '../../../src/api/http/httpApi.js';
import type { Api } from '../../../src/api/http/Api.js';
import { MEDIA_MAX_BYTES, MediaStore } from '../../../src/media/store/MediaStore.js';
import { Store } from '../../../src/store/Store.js';
import { makeWav, sine } from './fixtures.js';

let dir: string;
let store: Store;
let app: App;
let master: string;
let child: string;
let api: Api;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roomtone-media-routes-'));
  store = Store.open(dir);
  master = store.createAccount('master', null).account.id;
  child = store.createAccount('child', master).account.id;
  app = {
    store,
    media: new MediaStore(store, dir),
    tokens: { accountOf: (token: string) => token },
    requestsPerToken: { take: () => undefined },
    metrics: { httpRequest: () => undefined },
    log: pino({ level: 'silent' }),
  } as unknown as App;
  api = await createHttpApi(app);
});
afterEach(async () => {
  await api.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A request through the real HTTP API (fastify's inject); the token is the acting account's id. */
async function call(method: string, path: string, opts: { actor?: string; body?: unknown; contentType?: string } = {}) {
  const raw = Buffer.isBuffer(opts.body);
  const r = await api.inject({
    method: method as 'GET',
    url: path,
    headers: { 'x-auth-token': opts.actor ?? master, ...(opts.body !== undefined && { 'content-type': opts.contentType ?? (raw ? 'application/octet-stream' : 'application/json') }) },
    ...(opts.body !== undefined && { payload: raw ? (opts.body as Buffer) : JSON.stringify(opts.body) }),
  });
  const body = JSON.parse(r.body) as { data: unknown; error?: string };
  return { status: r.statusCode, data: body.data };
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
    expect((await call('GET', `/v2/accounts/${child}/media/${doc.id}`)).status).toBe(404);
  });

  it('creates a URL media document', async () => {
    const { data } = await call('PUT', `/v2/accounts/${master}/media`, { body: { data: { name: 'r', url: 'https://example.com/a.ogg' } } });
    expect(data).toMatchObject({ media_source: 'url', url: 'https://example.com/a.ogg' });
    expect(await call('PUT', `/v2/accounts/${master}/media`, { body: { data: { name: 'r', url: 'file:///x' } } })).toMatchObject({ status: 400, data: { url: {} } });
  });

  it('validates the document and the upload', async () => {
    expect(await call('PUT', `/v2/accounts/${master}/media`, { body: { data: {} } })).toMatchObject({ status: 400, data: { name: { required: {} } } });
    expect(await call('PUT', `/v2/accounts/${master}/media`, { body: { name: 'x' } })).toMatchObject({ status: 400, data: { data: { required: {} } } });
    const { data } = await call('PUT', `/v2/accounts/${master}/media`, { body: { data: { name: 'x' } } });
    const raw = `/v2/accounts/${master}/media/${(data as { id: string }).id}/raw`;
    expect(await call('POST', raw, { body: { data: 'json' } })).toMatchObject({ status: 400, data: { 'content-type': {} } });
    expect(await call('POST', raw, { body: Buffer.alloc(0) })).toMatchObject({ status: 400, data: { file: {} } });
    expect(await call('POST', raw, { body: Buffer.from('garbage'), contentType: 'audio/wav' })).toMatchObject({ status: 400, data: { file: {} } });
    expect(await call('POST', raw, { body: makeWav(sine(1), 0.1, { rate: 8000 }), contentType: 'video/mp4' })).toMatchObject({ status: 400, data: { 'content-type': {} } });
    expect((await call('POST', `/v2/accounts/${master}/media/${'0'.repeat(32)}/raw`, { body: Buffer.from('x') })).status).toBe(404);
  });

  it('hides another branch\'s media: a child cannot reach its parent\'s', async () => {
    const { data } = await call('PUT', `/v2/accounts/${master}/media`, { body: { data: { name: 'x' } } });
    const id = (data as { id: string }).id;
    expect((await call('GET', `/v2/accounts/${master}/media`, { actor: child })).status).toBe(404);
    expect((await call('GET', `/v2/accounts/${master}/media/${id}`, { actor: child })).status).toBe(404);
    expect((await call('GET', `/v2/accounts/${child}/media/${id}`, { actor: child })).status).toBe(404);
  });

  it('takes 20 MiB of audio as the upload body, and refuses a byte more with 413 (a JSON body stays at 1 MiB)', async () => {
    const { data } = await call('PUT', `/v2/accounts/${master}/media`, { body: { data: { name: 'x' } } });
    const raw = `/v2/accounts/${master}/media/${(data as { id: string }).id}/raw`;
    const tooBig = await call('POST', raw, { body: Buffer.alloc(MEDIA_MAX_BYTES + 1), contentType: 'audio/wav' });
    expect(tooBig.status).toBe(413);
    // Exactly the limit is read and judged as audio (this one is not: 400 naming the file).
    expect(await call('POST', raw, { body: Buffer.alloc(MEDIA_MAX_BYTES), contentType: 'audio/wav' })).toMatchObject({ status: 400, data: { file: {} } });
    expect((await call('PUT', `/v2/accounts/${master}/media`, { body: { data: { name: 'x', pad: 'p'.repeat(1024 * 1024) } } })).status).toBe(413);
  });
});
