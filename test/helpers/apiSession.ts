// Shared set-up of the HTTP API tests: a real server process per test file, Kazoo envelope
// assertions, and shortcuts for conferences and participants.
import { afterAll, beforeAll, expect } from 'vitest';
import { ffmpegOffer } from './ffmpeg.js';
import { startServer, type ApiResult, type Json, type ServerProcess } from './serverProcess.js';

export const HEX32 = /^[0-9a-f]{32}$/;

/** Kazoo's success envelope: {data, status: 'success', request_id, ...}. */
export function expectSuccess(r: ApiResult, status = 200): Json {
  expect(r.status, r.text).toBe(status);
  expect(r.body.status).toBe('success');
  expect(typeof r.body.request_id).toBe('string');
  expect(r.body.request_id.length).toBeGreaterThan(0);
  expect('data' in r.body, 'envelope has data').toBe(true);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  return r.body.data;
}

/** A field key names `field` when it is the field itself or a path ending in it ("data.name" or "name"). */
export const namesField = (key: string, field: string) => key === field || key.endsWith(`.${field}`);

/**
 * Kazoo's error envelope: {status: 'error', error: '<http code>', message, data: {FIELD: {RULE: {message}}}}.
 * Each of `fields` must be named by a key of `data`, with at least one rule carrying a message.
 */
export function expectError(r: ApiResult, status: number, fields: string[] = []): Json {
  expect(r.status, r.text).toBe(status);
  expect(r.body.status).toBe('error');
  expect(r.body.error).toBe(String(status));
  expect(typeof r.body.message).toBe('string');
  expect(r.body.message.length).toBeGreaterThan(0);
  expect(typeof r.body.request_id).toBe('string');
  expect(typeof r.body.data).toBe('object');
  for (const field of fields) {
    const key = Object.keys(r.body.data).find((k) => namesField(k, field));
    expect(key, `error data names ${field}: ${JSON.stringify(r.body.data)}`).toBeDefined();
    const rules = r.body.data[key!] as Json;
    expect(Object.keys(rules).length).toBeGreaterThan(0);
    for (const rule of Object.values(rules)) expect(typeof (rule as Json).message).toBe('string');
  }
  return r.body.data;
}

export let server: ServerProcess;
export let master: { token: string; accountId: string };
export let A: string; // the master account
export let B: { id: string; apiKey: string; token: string };
export const api: ServerProcess['api'] = (...args) => server.api(...args);

/** Starts this test file's server (master plus a second tenant B), with `env` added, and stops it at the end. */
export function useApiServer(rtpPorts: string, env?: Record<string, string>): void {
beforeAll(async () => {
  server = await startServer({ rtpPorts, env });
  master = await server.login(server.masterApiKey!);
  A = master.accountId;
  const created = await server.api('PUT', '/v2/accounts', { data: { name: 'tenant-b' } }, master.token);
  expect(created.status, created.text).toBe(201);
  const token = (await server.login(created.body.data.api_key)).token;
  B = { id: created.body.data.id, apiKey: created.body.data.api_key, token };
}, 30_000);

afterAll(async () => {
  if (!server) return;
  const { killed } = await server.stop();
  expect(killed, `the server stops on SIGTERM\n${server.diagnostics()}`).toBe(false);
});
}

export const confPath = (account: string, id = '') => `/v2/accounts/${account}/conferences${id ? `/${id}` : ''}`;
export const partPath = (account: string, c: string, p?: number | string) => `${confPath(account, c)}/participants${p !== undefined ? `/${p}` : ''}`;

export async function createConference(doc: Json = {}, account = A, token = master.token): Promise<Json> {
  return expectSuccess(await api('PUT', confPath(account), { data: { name: 'room', ...doc } }, token), 201);
}

let nextRecvPort = 41000;
/** A join with an ffmpeg-style SDP offer (nothing listens on its port: no media flows in these tests). */
export async function join(c: string, extra: Json = {}, account = A, token = master.token): Promise<Json> {
  const sdp = ffmpegOffer('opus', (nextRecvPort += 2));
  return expectSuccess(await api('POST', partPath(account, c), { data: { sdp, ...extra } }, token), 201);
}

export async function participant(c: string, p: number): Promise<Json> {
  return expectSuccess(await api('GET', partPath(A, c, p), undefined, master.token));
}

export async function act(path: string, action: string, data?: Json, shape: 'nested' | 'flat' = 'nested'): Promise<ApiResult> {
  const body = shape === 'nested' ? { data: { action, ...(data && { data }) } } : { action, ...(data && { data }) };
  return api('PUT', path, body, master.token);
}
