// The HTTP API of the real server process: metrics, OpenAPI, and restarts on the same data
// dir. Nothing is mocked.
import { describe, expect, it } from 'vitest';
import { ffmpegOffer } from '../helpers/ffmpeg.js';
import { randomApiKey, startServer, tempDataDir, waitFor, type Json, type ServerProcess } from '../helpers/serverProcess.js';
import { A, act, api, confPath, createConference, expectError, expectSuccess, HEX32, join, partPath, useApiServer } from '../helpers/apiSession.js';

// RTP ports of this file's servers (websocket.test.ts and endToEnd.test.ts use 30200-30599).
const RTP_RESTART = '30150-30179';
const RTP_GENERATED = '30180-30199';

useApiServer('30125-30149');

describe('metrics and OpenAPI', () => {
  it('GET /metrics is Prometheus text with participants, packets and the tick-duration histogram', async () => {
    const value = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    const before = await api('GET', '/metrics');
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toMatch(/^text\/plain/);
    const t = before.text;
    expect(t).toMatch(/^# TYPE roomtone_participants gauge$/m);
    expect(t).toMatch(/^# TYPE roomtone_packets_total counter$/m);
    expect(t).toMatch(/^# TYPE roomtone_tick_duration_seconds histogram$/m);
    expect(t).toMatch(/^roomtone_tick_duration_seconds_bucket\{le="\+Inf"\} \d+$/m);
    expect(t).toMatch(/^roomtone_tick_duration_seconds_sum \S+$/m);
    expect(t).toMatch(/^roomtone_tick_duration_seconds_count \d+$/m);
    // Buckets are cumulative and end at the count.
    const buckets = [...t.matchAll(/^roomtone_tick_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => Number(m[2]));
    expect(buckets.length).toBeGreaterThan(2);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]);
    expect(buckets.at(-1)).toBe(value(t, 'roomtone_tick_duration_seconds_count'));

    const n0 = value(t, 'roomtone_participants');
    expect(Number.isFinite(n0)).toBe(true);
    const doc = await createConference({ name: 'metered' });
    await join(doc.id);
    await join(doc.id);
    const during = (await api('GET', '/metrics')).text;
    expect(value(during, 'roomtone_participants')).toBe(n0 + 2);
    expect(value(during, 'roomtone_conferences')).toBeGreaterThanOrEqual(1);
    // The tick histogram counts ticks of running conferences.
    await new Promise((r) => setTimeout(r, 300));
    expect(value((await api('GET', '/metrics')).text, 'roomtone_tick_duration_seconds_count')).toBeGreaterThan(value(t, 'roomtone_tick_duration_seconds_count'));
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
    await waitFor('participants gauge back', async () => (value((await api('GET', '/metrics')).text, 'roomtone_participants') === n0 ? true : undefined));
  });

  it('GET /v2/openapi.json names every route, and the conference schema says name has maxLength 128', async () => {
    const r = await api('GET', '/v2/openapi.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = r.body;
    expect(doc.openapi).toMatch(/^3\./);
    const routes: Record<string, string[]> = {
      '/v2/api_auth': ['put'],
      '/v2/accounts': ['put'],
      '/v2/accounts/{A}': ['get'],
      '/v2/accounts/{A}/conferences': ['get', 'put'],
      '/v2/accounts/{A}/conferences/{C}': ['get', 'post', 'patch', 'delete', 'put'],
      '/v2/accounts/{A}/conferences/{C}/participants': ['get', 'post', 'put'],
      '/v2/accounts/{A}/conferences/{C}/participants/{P}': ['get', 'put'],
      '/metrics': ['get'],
      '/v2/openapi.json': ['get'],
      '/v2/health': ['get'],
    };
    for (const [path, methods] of Object.entries(routes)) {
      expect(doc.paths[path], `path ${path}`).toBeDefined();
      for (const m of methods) expect(doc.paths[path][m], `${m} ${path}`).toBeDefined();
    }
    // The conference document schema, where PUT .../conferences takes it (following $ref if any).
    const deref = (s: Json): Json => {
      if (s?.$ref) {
        const parts = (s.$ref as string).replace(/^#\//, '').split('/');
        return deref(parts.reduce((o: Json, k) => o?.[k], doc));
      }
      return s;
    };
    const body = deref(doc.paths['/v2/accounts/{A}/conferences'].put.requestBody.content['application/json'].schema);
    const conference = deref(body.properties.data);
    expect(deref(conference.properties.name)).toMatchObject({ type: 'string', maxLength: 128, minLength: 1 });
    expect(deref(conference.properties.owner_id)).toMatchObject({ minLength: 32, maxLength: 32 });
    expect(deref(conference.properties.max_participants)).toMatchObject({ type: 'integer' });
    expect(deref(deref(conference.properties.member).properties.join_muted)).toMatchObject({ type: 'boolean', default: true });
    // The action routes document their actions.
    const actions = JSON.stringify(doc.paths['/v2/accounts/{A}/conferences/{C}'].put);
    for (const a of ['lock', 'unlock', 'dial']) expect(actions).toContain(`"${a}"`);
  });
});

describe('restarts', () => {
  it('documents, API keys and auth tokens persist across a SIGTERM restart', async () => {
    const dataDir = tempDataDir();
    const key = randomApiKey();
    let first: ServerProcess | undefined = await startServer({ rtpPorts: RTP_RESTART, dataDir, masterApiKey: key });
    let second: ServerProcess | undefined;
    try {
      const m = await first.login(key);
      const acct = expectSuccess(await first.api('PUT', '/v2/accounts', { data: { name: 'persisted-b' } }, m.token), 201);
      const docA = expectSuccess(await first.api('PUT', confPath(m.accountId), { data: { name: 'kept', member: { pins: ['4321'] } } }, m.token), 201);
      const docB = expectSuccess(await first.api('PUT', confPath(acct.id), { data: { name: 'kept-b' } }, m.token), 201);
      expectSuccess(await first.api('PATCH', confPath(m.accountId, docA.id), { data: { max_participants: 7 } }, m.token));
      const deleted = expectSuccess(await first.api('PUT', confPath(m.accountId), { data: { name: 'deleted' } }, m.token), 201);
      expectSuccess(await first.api('DELETE', confPath(m.accountId, deleted.id), undefined, m.token));
      // Someone is in a conference when the server is told to stop: it still stops cleanly.
      expectSuccess(await first.api('POST', partPath(m.accountId, docA.id), { data: { sdp: ffmpegOffer('opus', 41800) } }, m.token), 201);
      const stopped = await first.stop();
      expect(stopped, first.diagnostics()).toMatchObject({ code: 0, killed: false });
      first = undefined;

      second = await startServer({ rtpPorts: RTP_RESTART, dataDir, masterApiKey: key });
      // The token issued before the restart still works (issue 16: sessions survive restarts).
      expect(expectSuccess(await second.api('GET', confPath(m.accountId, docA.id), undefined, m.token)).name).toBe('kept');
      const m2 = await second.login(key);
      expect(m2.accountId).toBe(m.accountId);
      const got = expectSuccess(await second.api('GET', confPath(m.accountId, docA.id), undefined, m2.token));
      expect(got).toMatchObject({ id: docA.id, name: 'kept', max_participants: 7, member: { pins: ['4321'] } });
      expect(got._read_only).toMatchObject({ members: 0, participants: [], is_locked: false });
      const list = expectSuccess(await second.api('GET', confPath(m.accountId), undefined, m2.token)) as Json[];
      expect(list.map((d) => d.id)).toEqual([docA.id]);
      expectError(await second.api('GET', confPath(m.accountId, deleted.id), undefined, m2.token), 404);
      // The child account and its key survive too.
      const b2 = await second.login(acct.api_key);
      expect(b2.accountId).toBe(acct.id);
      expect(expectSuccess(await second.api('GET', confPath(acct.id, docB.id), undefined, b2.token)).name).toBe('kept-b');
    } finally {
      await first?.stop();
      await second?.stop();
    }
  }, 60_000);

  it('a generated master key is printed once, on the first start only; an explicit key later replaces it', async () => {
    const dataDir = tempDataDir();
    const keyLine = /master API key[^\n]*?([0-9a-f]{64})/g;
    let s: ServerProcess | undefined = await startServer({ rtpPorts: RTP_GENERATED, dataDir, masterApiKey: null });
    try {
      const printed = [...s.stdout().matchAll(keyLine)].map((m) => m[1]);
      expect(printed, s.diagnostics()).toHaveLength(1);
      const generated = printed[0];
      const login = await s.login(generated);
      expect(login.accountId).toMatch(HEX32);
      expect(s.stdout()).toContain(login.accountId);
      expect(s.stderr()).not.toContain(generated);
      await s.stop();

      s = await startServer({ rtpPorts: RTP_GENERATED, dataDir, masterApiKey: null });
      expect(s.stdout()).not.toMatch(/master API key/i);
      expect(s.stdout()).not.toContain(generated);
      expect((await s.login(generated)).accountId).toBe(login.accountId);
      await s.stop();

      // ROOMTONE_MASTER_API_KEY on a later start replaces the master's key.
      const replacement = randomApiKey();
      s = await startServer({ rtpPorts: RTP_GENERATED, dataDir, masterApiKey: replacement });
      expect(s.stdout()).not.toContain(replacement);
      expect((await s.login(replacement)).accountId).toBe(login.accountId);
      expectError(await s.api('PUT', '/v2/api_auth', { data: { api_key: generated } }), 401);
    } finally {
      await s?.stop();
    }
  }, 60_000);

  it('a bad setting makes the process exit non-zero with a message, not hang', async () => {
    await expect(startServer({ rtpPorts: RTP_GENERATED, masterApiKey: 'too-short' })).rejects.toThrow(/ROOMTONE_MASTER_API_KEY/);
  });
});
