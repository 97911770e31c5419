// Sessions: a token is revoked by DELETE /v2/api_auth, a rotated API key stops working at once,
// and a websocket subscription ends with the token it was made with. (A token surviving a
// restart: apiOperations.test.ts, "restarts".)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectSuccess } from '../helpers/apiSession.js';
import { ffmpegOffer } from '../helpers/ffmpeg.js';
import { startServer, WsClient, type ServerProcess } from '../helpers/serverProcess.js';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({ rtpPorts: '31640-31659' });
}, 30_000);
afterAll(async () => {
  if (server) await server.stop();
});

const confs = (account: string) => `/v2/accounts/${account}/conferences`;

describe('sessions', () => {
  it('DELETE /v2/api_auth revokes the caller\'s token and no other', async () => {
    const a = await server.login(server.masterApiKey!);
    const b = await server.login(server.masterApiKey!);
    expectSuccess(await server.api('DELETE', '/v2/api_auth', undefined, a.token));
    expectError(await server.api('GET', confs(a.accountId), undefined, a.token), 401);
    expectSuccess(await server.api('GET', confs(b.accountId), undefined, b.token));
  });

  it('a rotated key: the old value gets 401, the new one works, the account\'s other tokens end, the caller\'s stays', async () => {
    const master = await server.login(server.masterApiKey!);
    const created = expectSuccess(await server.api('PUT', '/v2/accounts', { data: { name: 'rotating' } }, master.token), 201);
    const oldKey = created.api_key as string;
    const own = await server.login(oldKey);
    const other = await server.login(oldKey);
    const rotated = expectSuccess(await server.api('PUT', `/v2/accounts/${created.id}/api_key`, undefined, own.token));
    expect(rotated.api_key).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.api_key).not.toBe(oldKey);
    expectError(await server.api('PUT', '/v2/api_auth', { data: { api_key: oldKey } }), 401);
    const fresh = await server.login(rotated.api_key);
    expect(fresh.accountId).toBe(created.id);
    expectSuccess(await server.api('GET', confs(created.id), undefined, own.token));
    expectError(await server.api('GET', confs(created.id), undefined, other.token), 401);
    // Another account cannot rotate it (404: not confirmed to exist).
    const stranger = expectSuccess(await server.api('PUT', '/v2/accounts', { data: { name: 'stranger' } }, master.token), 201);
    const s = await server.login(stranger.api_key);
    expectError(await server.api('PUT', `/v2/accounts/${created.id}/api_key`, undefined, s.token), 404);
  });

  it('a websocket subscription ends when its token is revoked', async () => {
    const m = await server.login(server.masterApiKey!);
    const doc = expectSuccess(await server.api('PUT', confs(m.accountId), { data: { name: 'watched' } }, m.token), 201);
    const ws = await WsClient.connect(server.url);
    try {
      const binding = `conference.event.${doc.id}.*`;
      expect((await ws.subscribe(m.token, m.accountId, binding)).status).toBe('success');
      expectSuccess(await server.api('PUT', `${confs(m.accountId)}/${doc.id}`, { data: { action: 'lock' } }, m.token));
      await ws.waitEvent('lock');
      expectSuccess(await server.api('DELETE', '/v2/api_auth', undefined, m.token));
      const ended = await ws.waitFor('the subscription to end', (msg) => msg.action === 'unsubscribed');
      expect(ended.data).toEqual({ account_id: m.accountId, binding });
      // Events after that do not reach this client.
      const again = await server.login(server.masterApiKey!);
      expectSuccess(await server.api('PUT', `${confs(m.accountId)}/${doc.id}`, { data: { action: 'unlock' } }, again.token));
      await new Promise((r) => setTimeout(r, 300));
      expect(ws.events.some((e) => e.name === 'unlock')).toBe(false);
    } finally {
      await ws.close();
    }
  });
});

describe('request limits', () => {
  // A server of its own: the other tests' wrong keys must not count here.
  let fresh: ServerProcess;
  let tokens: { token: string; accountId: string }[];
  beforeAll(async () => {
    fresh = await startServer({ rtpPorts: '31660-31679', env: { ROOMTONE_REQUESTS_PER_TOKEN: '5', ROOMTONE_JOINS_PER_CONFERENCE: '2' } });
    // Before the failed-login test blocks this address.
    tokens = [await fresh.login(fresh.masterApiKey!), await fresh.login(fresh.masterApiKey!), await fresh.login(fresh.masterApiKey!)];
  }, 30_000);
  afterAll(async () => {
    if (fresh) await fresh.stop();
  });

  it('the 11th wrong key within a minute from one address gets 429 with Retry-After; the right key then too', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 11; i++) {
      last = await fresh.api('PUT', '/v2/api_auth', { data: { api_key: `wrong-${i}`.padEnd(64, 'x') } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    expectError(last!, 429);
    const retryAfter = Number(last!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The address is blocked whatever key it tries, until the minute has passed.
    expectError(await fresh.api('PUT', '/v2/api_auth', { data: { api_key: fresh.masterApiKey } }), 429);
  });

  it('requests per token: a burst of ten times the rate, then 429 with Retry-After; another token is not held back', async () => {
    const [one, two] = tokens;
    const path = `/v2/accounts/${one.accountId}/conferences`;
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await fresh.api('GET', path, undefined, one.token)).status);
    expect(statuses.slice(0, 50)).toEqual(Array(50).fill(200));
    expect(statuses.slice(50)).toContain(429);
    const limited = await fresh.api('GET', path, undefined, one.token);
    expectError(limited, 429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expectSuccess(await fresh.api('GET', path, undefined, two.token));
  });

  it('joins per conference: a burst of twice the rate, then 429; another conference still takes joins', async () => {
    const m = tokens[2];
    const path = `/v2/accounts/${m.accountId}/conferences`;
    const busy = expectSuccess(await fresh.api('PUT', path, { data: { name: 'busy' } }, m.token), 201);
    const quiet = expectSuccess(await fresh.api('PUT', path, { data: { name: 'quiet' } }, m.token), 201);
    const join = (conf: string, port: number) => fresh.api('POST', `${path}/${conf}/participants`, { data: { sdp: ffmpegOffer('opus', port) } }, m.token);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await join(busy.id, 42200 + 2 * i)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 429]);
    expectSuccess(await join(quiet.id, 42300), 201);
  });
});
