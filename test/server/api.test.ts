// The HTTP API of the real server process, route by route, with Kazoo's envelope checked on
// every answer. Nothing is mocked: `node dist/src/cli/main.js serve` runs with its own data dir
// and RTP port range, and participants join with real SDP offers (no media is sent: each test
// finishes well inside the 30 s media timeout, and kicks who it added).
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegOffer } from '../helpers/ffmpeg.js';
import { randomApiKey, startServer, tempDataDir, waitFor, type ApiResult, type Json, type ServerProcess } from '../helpers/serverProcess.js';

// RTP ports of this file's servers (websocket.test.ts and endToEnd.test.ts use 32200-32599).
const RTP_MAIN = '32000-32149';
const RTP_RESTART = '32150-32179';
const RTP_GENERATED = '32180-32199';

const HEX32 = /^[0-9a-f]{32}$/;

/** Kazoo's success envelope: {data, status: 'success', request_id, ...}. */
function expectSuccess(r: ApiResult, status = 200): Json {
  expect(r.status, r.text).toBe(status);
  expect(r.body.status).toBe('success');
  expect(typeof r.body.request_id).toBe('string');
  expect(r.body.request_id.length).toBeGreaterThan(0);
  expect('data' in r.body, 'envelope has data').toBe(true);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  return r.body.data;
}

/** A field key names `field` when it is the field itself or a path ending in it ("data.name" or "name"). */
const namesField = (key: string, field: string) => key === field || key.endsWith(`.${field}`);

/**
 * Kazoo's error envelope: {status: 'error', error: '<http code>', message, data: {FIELD: {RULE: {message}}}}.
 * Each of `fields` must be named by a key of `data`, with at least one rule carrying a message.
 */
function expectError(r: ApiResult, status: number, fields: string[] = []): Json {
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

let server: ServerProcess;
let master: { token: string; accountId: string };
let A: string; // the master account
let B: { id: string; apiKey: string; token: string };
const api: ServerProcess['api'] = (...args) => server.api(...args);

beforeAll(async () => {
  server = await startServer({ rtpPorts: RTP_MAIN });
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

const confPath = (account: string, id = '') => `/v2/accounts/${account}/conferences${id ? `/${id}` : ''}`;
const partPath = (account: string, c: string, p?: number | string) => `${confPath(account, c)}/participants${p !== undefined ? `/${p}` : ''}`;

async function createConference(doc: Json = {}, account = A, token = master.token): Promise<Json> {
  return expectSuccess(await api('PUT', confPath(account), { data: { name: 'room', ...doc } }, token), 201);
}

let nextRecvPort = 41000;
/** A join with an ffmpeg-style SDP offer (nothing listens on its port: no media flows in these tests). */
async function join(c: string, extra: Json = {}, account = A, token = master.token): Promise<Json> {
  const sdp = ffmpegOffer('opus', (nextRecvPort += 2));
  return expectSuccess(await api('POST', partPath(account, c), { data: { sdp, ...extra } }, token), 201);
}

async function participant(c: string, p: number): Promise<Json> {
  return expectSuccess(await api('GET', partPath(A, c, p), undefined, master.token));
}

async function act(path: string, action: string, data?: Json, shape: 'nested' | 'flat' = 'nested'): Promise<ApiResult> {
  const body = shape === 'nested' ? { data: { action, ...(data && { data }) } } : { action, ...(data && { data }) };
  return api('PUT', path, body, master.token);
}

describe('auth', () => {
  it('PUT /v2/api_auth exchanges a good key for an auth token and the account id', async () => {
    const r = await api('PUT', '/v2/api_auth', { data: { api_key: server.masterApiKey } });
    const data = expectSuccess(r, 201);
    expect(data.account_id).toMatch(HEX32);
    expect(data.account_id).toBe(A);
    expect(typeof r.body.auth_token).toBe('string');
    expect(r.body.auth_token.length).toBeGreaterThanOrEqual(32);
    // A fresh token each time, and each one works.
    const again = await server.login(server.masterApiKey!);
    expect(again.token).not.toBe(r.body.auth_token);
    expectSuccess(await api('GET', `/v2/accounts/${A}`, undefined, r.body.auth_token));
  });

  it('refuses a bad key with 401, and a body without api_key with 400 naming it', async () => {
    expectError(await api('PUT', '/v2/api_auth', { data: { api_key: randomApiKey() } }), 401);
    expectError(await api('PUT', '/v2/api_auth', { data: { api_key: '' } }), 400, ['api_key']);
    expectError(await api('PUT', '/v2/api_auth', { data: {} }), 400, ['api_key']);
  });

  it('echoes a well-formed X-Request-Id as request_id', async () => {
    const r = await api('GET', `/v2/accounts/${A}`, undefined, master.token, { 'x-request-id': 'trace-1234' });
    expect(r.body.request_id).toBe('trace-1234');
    expect(r.headers.get('x-request-id')).toBe('trace-1234');
  });
});

describe('accounts', () => {
  it('the master creates an account, whose api_key logs in as that account', async () => {
    const r = await api('PUT', '/v2/accounts', { data: { name: 'tenant-c' } }, master.token);
    const data = expectSuccess(r, 201);
    expect(data.id).toMatch(HEX32);
    expect(data.name).toBe('tenant-c');
    expect(typeof data.api_key).toBe('string');
    expect(data.api_key.length).toBeGreaterThanOrEqual(32);
    const login = await server.login(data.api_key);
    expect(login.accountId).toBe(data.id);
  });

  it('a non-master account may not create accounts (403)', async () => {
    expectError(await api('PUT', '/v2/accounts', { data: { name: 'nope' } }, B.token), 403);
  });

  it('an account without a name is a 400 naming it', async () => {
    expectError(await api('PUT', '/v2/accounts', { data: {} }, master.token), 400, ['name']);
    expectError(await api('PUT', '/v2/accounts', { data: { name: 'x'.repeat(129) } }, master.token), 400, ['name']);
  });

  it('GET /v2/accounts/{A}: own account and, for the master, its child; never a parent', async () => {
    const own = expectSuccess(await api('GET', `/v2/accounts/${A}`, undefined, master.token));
    expect(own.id).toBe(A);
    expect(typeof own.name).toBe('string');
    expect(expectSuccess(await api('GET', `/v2/accounts/${B.id}`, undefined, master.token)).name).toBe('tenant-b');
    expect(expectSuccess(await api('GET', `/v2/accounts/${B.id}`, undefined, B.token)).id).toBe(B.id);
    expectError(await api('GET', `/v2/accounts/${A}`, undefined, B.token), 404);
    expectError(await api('GET', `/v2/accounts/${'0'.repeat(32)}`, undefined, master.token), 404);
  });
});

describe('authentication on every authenticated route', () => {
  it('401 for a missing or bad X-Auth-Token, on each route the OpenAPI document marks as secured', async () => {
    const c = (await createConference()).id as string;
    const openapi = (await api('GET', '/v2/openapi.json')).body;
    const secured: [string, string][] = [];
    for (const [path, ops] of Object.entries(openapi.paths as Json)) {
      for (const [method, op] of Object.entries(ops as Json)) if ((op as Json).security) secured.push([method.toUpperCase(), path]);
    }
    // The document must cover the routes the Kazoo API has (and the checks below run on each).
    const expected = [
      'PUT /v2/accounts',
      'GET /v2/accounts/{A}',
      'GET /v2/accounts/{A}/conferences',
      'PUT /v2/accounts/{A}/conferences',
      'GET /v2/accounts/{A}/conferences/{C}',
      'POST /v2/accounts/{A}/conferences/{C}',
      'PATCH /v2/accounts/{A}/conferences/{C}',
      'DELETE /v2/accounts/{A}/conferences/{C}',
      'PUT /v2/accounts/{A}/conferences/{C}',
      'GET /v2/accounts/{A}/conferences/{C}/participants',
      'POST /v2/accounts/{A}/conferences/{C}/participants',
      'PUT /v2/accounts/{A}/conferences/{C}/participants',
      'GET /v2/accounts/{A}/conferences/{C}/participants/{P}',
      'PUT /v2/accounts/{A}/conferences/{C}/participants/{P}',
    ];
    expect(secured.map(([m, p]) => `${m} ${p}`)).toEqual(expect.arrayContaining(expected));
    for (const [method, template] of secured) {
      const path = template.replace('{A}', A).replace('{C}', c).replace('{P}', '1');
      const body = method === 'GET' || method === 'DELETE' ? undefined : { data: { name: 'x', action: 'lock' } };
      for (const token of [undefined, 'not-a-token', 'x'.repeat(43)]) {
        const r = await api(method as 'GET', path, body, token);
        expect(r.status, `${method} ${template} with token ${token}`).toBe(401);
        expectError(r, 401);
      }
    }
    // Nothing happened: the conference is still there, unlocked.
    const still = expectSuccess(await api('GET', confPath(A, c), undefined, master.token));
    expect(still._read_only.is_locked).toBe(false);
  });

  it('401 is decided before the body is read: an unauthenticated malformed or huge body is still a 401', async () => {
    expectError(await api('PUT', confPath(A), '{not json', undefined), 401);
    expectError(await api('PUT', confPath(A), Buffer.alloc(2 * 1024 * 1024, 0x20), 'bad-token'), 401);
  });

  it('the unauthenticated routes answer without a token', async () => {
    expectSuccess(await api('GET', '/v2/health'));
    expect((await api('GET', '/metrics')).status).toBe(200);
    expect((await api('GET', '/v2/openapi.json')).status).toBe(200);
  });
});

describe('cross-account access', () => {
  it('account B cannot see or touch A\'s conferences (404, not 403)', async () => {
    const c = (await createConference({ name: 'a-only' })).id as string;
    expectError(await api('GET', confPath(A, c), undefined, B.token), 404);
    expectError(await api('GET', confPath(A), undefined, B.token), 404);
    expectError(await api('PUT', confPath(A), { data: { name: 'intruder' } }, B.token), 404);
    expectError(await api('POST', confPath(A, c), { data: { name: 'hijack' } }, B.token), 404);
    expectError(await api('PATCH', confPath(A, c), { data: { name: 'hijack' } }, B.token), 404);
    expectError(await api('DELETE', confPath(A, c), undefined, B.token), 404);
    expectError(await api('PUT', confPath(A, c), { data: { action: 'lock' } }, B.token), 404);
    expectError(await api('GET', partPath(A, c), undefined, B.token), 404);
    expectError(await api('POST', partPath(A, c), { data: { sdp: ffmpegOffer('opus', 41990) } }, B.token), 404);
    expectError(await api('PUT', partPath(A, c), { data: { action: 'kick' } }, B.token), 404);
    // Nor through its own account path: the conference belongs to A.
    expectError(await api('GET', confPath(B.id, c), undefined, B.token), 404);
    expectError(await api('DELETE', confPath(B.id, c), undefined, B.token), 404);
    const still = expectSuccess(await api('GET', confPath(A, c), undefined, master.token));
    expect(still.name).toBe('a-only');
    expect(still._read_only.is_locked).toBe(false);
  });

  it('the master acts on B\'s resources (it created B); B sees what the master made for it', async () => {
    const made = expectSuccess(await api('PUT', confPath(B.id), { data: { name: 'for-b' } }, master.token), 201);
    expect(expectSuccess(await api('GET', confPath(B.id, made.id), undefined, B.token)).name).toBe('for-b');
    const mine = expectSuccess(await api('PUT', confPath(B.id), { data: { name: 'by-b' } }, B.token), 201);
    expect(expectSuccess(await api('GET', confPath(B.id, mine.id), undefined, master.token)).name).toBe('by-b');
    expect(expectSuccess(await api('PATCH', confPath(B.id, mine.id), { data: { name: 'by-master' } }, master.token)).name).toBe('by-master');
    expectSuccess(await api('PUT', confPath(B.id, mine.id), { action: 'lock' }, master.token));
    expect(expectSuccess(await api('GET', confPath(B.id, mine.id), undefined, B.token))._read_only.is_locked).toBe(true);
    const list = expectSuccess(await api('GET', confPath(B.id), undefined, master.token)) as Json[];
    expect(list.map((d) => d.id)).toEqual(expect.arrayContaining([made.id, mine.id]));
    // B's conferences are B's: they do not show in A's list.
    const listA = expectSuccess(await api('GET', confPath(A), undefined, master.token)) as Json[];
    expect(listA.map((d) => d.id)).not.toContain(mine.id);
    expectSuccess(await api('DELETE', confPath(B.id, mine.id), undefined, master.token));
    expectError(await api('GET', confPath(B.id, mine.id), undefined, B.token), 404);
  });
});

describe('conferences', () => {
  it('PUT creates (201) with the schema defaults filled and a 32-hex id; an id in the body is ignored', async () => {
    const given = 'f'.repeat(32);
    const doc = await createConference({ id: given, owner_id: 'a'.repeat(32) });
    expect(doc.id).toMatch(HEX32);
    expect(doc.id).not.toBe(given);
    expect(doc.name).toBe('room');
    expect(doc.owner_id).toBe('a'.repeat(32));
    expect(doc.member).toMatchObject({ join_muted: true, join_deaf: false, numbers: [], pins: [] });
    expect(doc.moderator).toMatchObject({ join_muted: false, join_deaf: false, numbers: [], pins: [] });
    expect(doc.conference_numbers).toEqual([]);
    expect(doc.play_name).toBe(false);
    expect(doc._read_only).toBeUndefined();
  });

  it('GET lists conferences with members, admins, duration and is_locked', async () => {
    const doc = await createConference({ name: 'listed' });
    const list = expectSuccess(await api('GET', confPath(A), undefined, master.token)) as Json[];
    const row = list.find((d) => d.id === doc.id);
    expect(row).toBeDefined();
    expect(row).toMatchObject({ name: 'listed', members: 0, admins: 0, duration: 0, is_locked: false });
    expect(row!.member).toMatchObject({ join_muted: true });
  });

  it('GET one carries _read_only with the realtime state', async () => {
    const doc = await createConference({ name: 'one' });
    const got = expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token));
    expect(got).toMatchObject({ id: doc.id, name: 'one', member: doc.member, moderator: doc.moderator });
    expect(got._read_only).toEqual({ members: 0, admins: 0, duration: 0, is_locked: false, participants: [] });
    expectError(await api('GET', confPath(A, 'e'.repeat(32)), undefined, master.token), 404);
  });

  it('POST replaces the whole document (fields not given are gone, defaults filled again)', async () => {
    const doc = await createConference({ name: 'before', owner_id: 'b'.repeat(32), member: { join_muted: false, pins: ['1234'] } });
    const r = await api('POST', confPath(A, doc.id), { data: { name: 'after', max_participants: 5 } }, master.token);
    const replaced = expectSuccess(r);
    expect(replaced.id).toBe(doc.id);
    expect(replaced.name).toBe('after');
    expect(replaced.max_participants).toBe(5);
    expect(replaced.owner_id).toBeUndefined();
    expect(replaced.member).toMatchObject({ join_muted: true, pins: [] });
    const got = expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token));
    expect(got.name).toBe('after');
    expect(got.owner_id).toBeUndefined();
    expectError(await api('POST', confPath(A, 'e'.repeat(32)), { data: { name: 'x' } }, master.token), 404);
    expectError(await api('POST', confPath(A, doc.id), { data: { name: '' } }, master.token), 400, ['name']);
  });

  it('PATCH merges nested objects (member.pins set, member.join_muted kept) and validates the result', async () => {
    const doc = await createConference({ name: 'patchme', owner_id: 'c'.repeat(32), member: { join_muted: false, pins: ['1111'] } });
    const patched = expectSuccess(await api('PATCH', confPath(A, doc.id), { data: { member: { pins: ['2222', '3333'] }, play_name: true } }, master.token));
    expect(patched.id).toBe(doc.id);
    expect(patched.name).toBe('patchme');
    expect(patched.owner_id).toBe('c'.repeat(32));
    expect(patched.play_name).toBe(true);
    expect(patched.member).toMatchObject({ join_muted: false, join_deaf: false, pins: ['2222', '3333'] });
    expect(patched.moderator).toMatchObject({ join_muted: false });
    const got = expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token));
    expect(got.member.pins).toEqual(['2222', '3333']);
    expect(got.member.join_muted).toBe(false);
    // The merged document must still be valid; the stored one is untouched when it is not.
    expectError(await api('PATCH', confPath(A, doc.id), { data: { member: { join_muted: 'yes' } } }, master.token), 400, ['join_muted']);
    expect(expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token)).member.join_muted).toBe(false);
    expectError(await api('PATCH', confPath(A, 'e'.repeat(32)), { data: { name: 'x' } }, master.token), 404);
  });

  it('DELETE removes; with participants it is a 409 unless ?force=true, which ends the conference', async () => {
    const empty = await createConference({ name: 'gone' });
    const del = expectSuccess(await api('DELETE', confPath(A, empty.id), undefined, master.token));
    expect(del.id).toBe(empty.id);
    expectError(await api('GET', confPath(A, empty.id), undefined, master.token), 404);
    expectError(await api('DELETE', confPath(A, empty.id), undefined, master.token), 404);

    const busy = await createConference({ name: 'busy' });
    await join(busy.id);
    expectError(await api('DELETE', confPath(A, busy.id), undefined, master.token), 409);
    expectError(await api('DELETE', `${confPath(A, busy.id)}?force=false`, undefined, master.token), 409);
    expect(expectSuccess(await api('GET', confPath(A, busy.id), undefined, master.token))._read_only.members).toBe(1);
    expectSuccess(await api('DELETE', `${confPath(A, busy.id)}?force=true`, undefined, master.token));
    expectError(await api('GET', confPath(A, busy.id), undefined, master.token), 404);
    expectError(await api('GET', partPath(A, busy.id), undefined, master.token), 404);
  });

  it('PUT action lock/unlock, in both body shapes; is_locked shows in GET one and in the list', async () => {
    const doc = await createConference({ name: 'lockable' });
    expectSuccess(await act(confPath(A, doc.id), 'lock', undefined, 'nested'));
    expect(expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token))._read_only.is_locked).toBe(true);
    const list = expectSuccess(await api('GET', confPath(A), undefined, master.token)) as Json[];
    expect(list.find((d) => d.id === doc.id)!.is_locked).toBe(true);
    expectSuccess(await act(confPath(A, doc.id), 'unlock', undefined, 'flat'));
    expect(expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token))._read_only.is_locked).toBe(false);
    expectSuccess(await act(confPath(A, doc.id), 'lock', undefined, 'flat'));
    expect(expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token))._read_only.is_locked).toBe(true);
    expectSuccess(await act(confPath(A, doc.id), 'unlock', undefined, 'nested'));
    expect(expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token))._read_only.is_locked).toBe(false);
    expectError(await act(confPath(A, 'e'.repeat(32)), 'lock'), 404);
  });

  it('a locked conference refuses joins with 409; unlocked, the join goes through', async () => {
    const doc = await createConference({ name: 'locked' });
    expectSuccess(await act(confPath(A, doc.id), 'lock'));
    const refused = await api('POST', partPath(A, doc.id), { data: { sdp: ffmpegOffer('opus', 41992) } }, master.token);
    expectError(refused, 409);
    expect(expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token))._read_only.members).toBe(0);
    expectSuccess(await act(confPath(A, doc.id), 'unlock'));
    const joined = await join(doc.id);
    // Locking with someone inside keeps them, and still refuses newcomers.
    expectSuccess(await act(confPath(A, doc.id), 'lock'));
    expectError(await api('POST', partPath(A, doc.id), { data: { sdp: ffmpegOffer('opus', 41994) } }, master.token), 409);
    const ro = expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token))._read_only;
    expect(ro).toMatchObject({ members: 1, is_locked: true });
    expectSuccess(await act(partPath(A, doc.id, joined.participant_id), 'kick'));
  });

  it('max_participants: the join past the limit is a 409', async () => {
    const doc = await createConference({ name: 'small', max_participants: 1 });
    const first = await join(doc.id);
    expectError(await api('POST', partPath(A, doc.id), { data: { sdp: ffmpegOffer('opus', 41996) } }, master.token), 409);
    expectSuccess(await act(partPath(A, doc.id, first.participant_id), 'kick'));
  });

  it('dial is a 501; an unknown action is a 400 that lists the allowed ones', async () => {
    const doc = await createConference({ name: 'actions' });
    expectError(await act(confPath(A, doc.id), 'dial', { endpoints: ['sip:someone@example.com'] }), 501);
    const unknown = await act(confPath(A, doc.id), 'explode');
    expectError(unknown, 400, ['action']);
    for (const allowed of ['lock', 'unlock', 'dial']) expect(unknown.body.message).toContain(allowed);
    expectError(await api('PUT', confPath(A, doc.id), { data: {} }, master.token), 400, ['action']);
    // Participant-level actions are not conference actions.
    expectError(await act(confPath(A, doc.id), 'mute'), 400, ['action']);
  });
});

describe('request validation', () => {
  it('a name of 129 characters is a 400 naming name (128 is fine)', async () => {
    expectError(await api('PUT', confPath(A), { data: { name: 'n'.repeat(129) } }, master.token), 400, ['name']);
    expect((await createConference({ name: 'n'.repeat(128) })).name).toHaveLength(128);
  });

  it('an owner_id that is not 32 characters is a 400 naming owner_id', async () => {
    expectError(await api('PUT', confPath(A), { data: { owner_id: 'a'.repeat(31) } }, master.token), 400, ['owner_id']);
    expectError(await api('PUT', confPath(A), { data: { owner_id: 'a'.repeat(33) } }, master.token), 400, ['owner_id']);
  });

  it('max_participants given as a string is a 400 naming max_participants', async () => {
    expectError(await api('PUT', confPath(A), { data: { max_participants: '10' } }, master.token), 400, ['max_participants']);
  });

  it('all three in one request: every failing field is named', async () => {
    const r = await api('PUT', confPath(A), { data: { name: 'n'.repeat(129), owner_id: 'short', max_participants: '10' } }, master.token);
    const data = expectError(r, 400, ['name', 'owner_id', 'max_participants']);
    expect(Object.keys(data)).toHaveLength(3);
  });

  it('a body without data, or with data not an object, is a 400', async () => {
    expectError(await api('PUT', confPath(A), { name: 'x' }, master.token), 400, ['data']);
    expectError(await api('PUT', confPath(A), { data: 'x' }, master.token), 400, ['data']);
    expectError(await api('PUT', confPath(A), '[]', master.token), 400);
  });

  it('malformed JSON is a 400', async () => {
    const r = await api('PUT', confPath(A), '{"data": {"name": ', master.token);
    expectError(r, 400);
    expect(r.body.message).toMatch(/json/i);
  });

  it('a body over 1 MiB is a 413, declared or streamed', async () => {
    const big = JSON.stringify({ data: { name: 'x', pad: 'p'.repeat(1024 * 1024) } });
    expectError(await api('PUT', confPath(A), big, master.token), 413);
    // Chunked, without a content-length: refused as it crosses the limit.
    const streamed = await new Promise<{ status: number; body: Json }>((resolve, reject) => {
      const req = httpRequest(
        `${server.url}${confPath(A)}`,
        { method: 'PUT', headers: { 'x-auth-token': master.token, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Json }));
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'EPIPE' || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 2 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(streamed.status).toBe(413);
    expect(streamed.body).toMatchObject({ status: 'error', error: '413' });
    // The server is fine afterwards.
    expectSuccess(await api('GET', '/v2/health'));
  });

  it('an unknown route is a 404 in the error envelope', async () => {
    expectError(await api('GET', '/v2/nothing-here'), 404);
    expectError(await api('GET', `/v2/accounts/${A}/conferences/x/y/z`, undefined, master.token), 404);
    expectError(await api('GET', '/'), 404);
  });

  it('a known path with the wrong method is refused with an Allow header', async () => {
    const r = await api('PATCH', '/v2/api_auth', { data: {} });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.status).toBe('error');
    expect(r.headers.get('allow')).toContain('PUT');
  });
});

describe('participants', () => {
  it('POST with an SDP offer: 201 with participant_id, call_id and our SDP answer', async () => {
    const doc = await createConference({ name: 'joinme' });
    const offer = ffmpegOffer('opus', 41500);
    const r = await api('POST', partPath(A, doc.id), { data: { sdp: offer, caller_id_name: 'alice', caller_id_number: '1001', call_id: 'call-alice-1' } }, master.token);
    const joined = expectSuccess(r, 201);
    expect(Number.isInteger(joined.participant_id)).toBe(true);
    expect(joined.participant_id).toBeGreaterThan(0);
    expect(joined.call_id).toBe('call-alice-1');
    expect(joined.sdp).toMatch(/^v=0\r\n/);
    const port = Number(/m=audio (\d+) RTP\/AVP 97/.exec(joined.sdp)?.[1]);
    expect(port).toBeGreaterThanOrEqual(32000);
    expect(port).toBeLessThanOrEqual(32149);
    expect(joined.sdp).toMatch(/a=rtpmap:97 opus\/48000\/2/);
    // A call id is made up when none is given.
    const other = await join(doc.id);
    expect(typeof other.call_id).toBe('string');
    expect(other.call_id.length).toBeGreaterThan(0);
    expect(other.participant_id).not.toBe(joined.participant_id);
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
  });

  it('POST without sdp returns our offer; PUT action answer completes it', async () => {
    const doc = await createConference({ name: 'offerer', member: { join_muted: false } });
    const joined = expectSuccess(await api('POST', partPath(A, doc.id), { data: { caller_id_name: 'bob' } }, master.token), 201);
    expect(joined.sdp).toMatch(/^v=0\r\n/);
    const m = /m=audio (\d+) RTP\/AVP ([\d ]+)/.exec(joined.sdp);
    expect(m).not.toBeNull();
    expect(m![2].split(' ')).toContain('0'); // PCMU offered
    const answer = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 41600 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
    const r = await api('PUT', partPath(A, doc.id, joined.participant_id), { data: { action: 'answer', data: { sdp: answer } } }, master.token);
    expectSuccess(r);
    const p = await participant(doc.id, joined.participant_id);
    expect(p).toMatchObject({ participant_id: joined.participant_id, caller_id_name: 'bob', speak: true, hear: true });
    // answer needs its sdp
    expectError(await api('PUT', partPath(A, doc.id, joined.participant_id), { data: { action: 'answer', data: {} } }, master.token), 400, ['sdp']);
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
  });

  it('a bad SDP offer is a 400 and leaves nobody behind', async () => {
    const doc = await createConference({ name: 'badsdp' });
    const r = await api('POST', partPath(A, doc.id), { data: { sdp: 'this is not sdp' } }, master.token);
    expect(r.status, r.text).toBe(400);
    expect(r.body.status).toBe('error');
    const list = expectSuccess(await api('GET', partPath(A, doc.id), undefined, master.token)) as Json[];
    expect(list).toEqual([]);
    expectError(await api('POST', partPath(A, doc.id), { data: { sdp: 42 } }, master.token), 400, ['sdp']);
  });

  it('GET lists participants with the Kazoo realtime fields, and GET one shows one', async () => {
    const doc = await createConference({ name: 'listing', member: { join_muted: false } });
    const a = await join(doc.id, { caller_id_name: 'alice', call_id: 'list-a' });
    const b = await join(doc.id, { caller_id_name: 'bob', call_id: 'list-b', moderator: true });
    const list = expectSuccess(await api('GET', partPath(A, doc.id), undefined, master.token)) as Json[];
    expect(list.map((p) => p.participant_id).sort()).toEqual([a.participant_id, b.participant_id].sort());
    for (const p of list) {
      for (const [field, type] of Object.entries({
        call_id: 'string', participant_id: 'number', floor: 'boolean', hear: 'boolean', speak: 'boolean', talking: 'boolean',
        mute_detect: 'boolean', energy_level: 'number', current_energy: 'number', video: 'boolean', is_moderator: 'boolean',
        join_time: 'number', duration: 'number', conference_name: 'string',
      })) {
        expect(typeof p[field], `participant.${field}`).toBe(type);
      }
      expect(Math.abs(p.join_time - Date.now() / 1000)).toBeLessThan(60); // epoch seconds
    }
    const one = await participant(doc.id, b.participant_id);
    expect(one).toMatchObject({ participant_id: b.participant_id, call_id: 'list-b', caller_id_name: 'bob', is_moderator: true, speak: true, hear: true });
    const ro = expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token))._read_only;
    expect(ro).toMatchObject({ members: 1, admins: 1, is_locked: false });
    expect(ro.participants).toHaveLength(2);
    const row = (expectSuccess(await api('GET', confPath(A), undefined, master.token)) as Json[]).find((d) => d.id === doc.id)!;
    expect(row).toMatchObject({ members: 1, admins: 1 });
    expectError(await api('GET', partPath(A, doc.id, 999), undefined, master.token), 404);
    expectError(await api('GET', partPath(A, doc.id, 'abc'), undefined, master.token), 404);
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
  });

  it('members join muted by default (member.join_muted true); moderators do not', async () => {
    const doc = await createConference({ name: 'defaults' });
    const member = await join(doc.id);
    const moderator = await join(doc.id, { moderator: true });
    expect(await participant(doc.id, member.participant_id)).toMatchObject({ speak: false, hear: true, is_moderator: false });
    expect(await participant(doc.id, moderator.participant_id)).toMatchObject({ speak: true, hear: true, is_moderator: true });
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
  });

  it('a moderator pin makes a moderator; a member pin a member; a wrong pin is refused', async () => {
    const doc = await createConference({ name: 'pins', member: { pins: ['1111'] }, moderator: { pins: ['9999'] } });
    const mod = await join(doc.id, { pin: '9999' });
    const mem = await join(doc.id, { pin: '1111' });
    expect((await participant(doc.id, mod.participant_id)).is_moderator).toBe(true);
    expect((await participant(doc.id, mem.participant_id)).is_moderator).toBe(false);
    const wrong = await api('POST', partPath(A, doc.id), { data: { sdp: ffmpegOffer('opus', 41998), pin: '0000' } }, master.token);
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    expect(wrong.status).toBeLessThan(500);
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
  });

  it('PUT participants mute/unmute/deaf/undeaf act on everyone but the moderators', async () => {
    const doc = await createConference({ name: 'bulk', member: { join_muted: false } });
    const m1 = await join(doc.id);
    const m2 = await join(doc.id);
    const mod = await join(doc.id, { moderator: true });
    const state = async () => Promise.all([m1, m2, mod].map((p) => participant(doc.id, p.participant_id)));

    for (const shape of ['nested', 'flat'] as const) {
      expectSuccess(await act(partPath(A, doc.id), 'mute', undefined, shape));
      let [s1, s2, sm] = await state();
      expect([s1.speak, s2.speak, sm.speak]).toEqual([false, false, true]);
      expectSuccess(await act(partPath(A, doc.id), 'unmute', undefined, shape));
      [s1, s2, sm] = await state();
      expect([s1.speak, s2.speak, sm.speak]).toEqual([true, true, true]);
      expectSuccess(await act(partPath(A, doc.id), 'deaf', undefined, shape));
      [s1, s2, sm] = await state();
      expect([s1.hear, s2.hear, sm.hear]).toEqual([false, false, true]);
      expectSuccess(await act(partPath(A, doc.id), 'undeaf', undefined, shape));
      [s1, s2, sm] = await state();
      expect([s1.hear, s2.hear, sm.hear]).toEqual([true, true, true]);
    }
    const unknown = await act(partPath(A, doc.id), 'explode');
    expectError(unknown, 400, ['action']);
    for (const allowed of ['mute', 'unmute', 'deaf', 'undeaf', 'kick', 'relate']) expect(unknown.body.message).toContain(allowed);
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
  });

  it('PUT participants relate: deaf, mute and clear between two participants', async () => {
    const doc = await createConference({ name: 'relate', member: { join_muted: false } });
    const a = await join(doc.id);
    const b = await join(doc.id);
    const relate = (relationship?: string, pid: unknown = a.participant_id, other: unknown = b.participant_id) =>
      act(partPath(A, doc.id), 'relate', { participant_id: pid, other_participant: other, ...(relationship && { relationship }) });
    expectSuccess(await relate('deaf'));
    expect((await participant(doc.id, a.participant_id)).relations).toEqual([{ participant_id: b.participant_id, nohear: true, nospeak: false }]);
    // Kazoo lets ids be strings too.
    expectSuccess(await relate('mute', String(a.participant_id), String(b.participant_id)));
    expect((await participant(doc.id, a.participant_id)).relations).toEqual([expect.objectContaining({ participant_id: b.participant_id, nospeak: true })]);
    expectSuccess(await relate()); // relationship defaults to clear
    expect((await participant(doc.id, a.participant_id)).relations).toEqual([]);
    expectError(await act(partPath(A, doc.id), 'relate', { participant_id: a.participant_id }), 400, ['other_participant']);
    expectError(await relate('hug'), 400, ['relationship']);
    expectError(await relate('deaf', a.participant_id, 999), 404);
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
  });

  it('PUT participants kick removes everyone', async () => {
    const doc = await createConference({ name: 'kickall' });
    await join(doc.id);
    await join(doc.id, { moderator: true });
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
    await waitFor('everyone gone', async () => ((expectSuccess(await api('GET', partPath(A, doc.id), undefined, master.token)) as Json[]).length === 0 ? true : undefined));
    const ro = expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token))._read_only;
    expect(ro).toMatchObject({ members: 0, admins: 0, participants: [] });
    // The stored document outlives its participants.
    expect(expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token)).name).toBe('kickall');
  });

  it('PUT participants/{P} mute/unmute/deaf/undeaf/kick act on that one participant, in both body shapes', async () => {
    const doc = await createConference({ name: 'single', member: { join_muted: false } });
    const a = await join(doc.id);
    const b = await join(doc.id);
    const path = partPath(A, doc.id, a.participant_id);
    for (const shape of ['nested', 'flat'] as const) {
      expectSuccess(await act(path, 'mute', undefined, shape));
      expect(await participant(doc.id, a.participant_id)).toMatchObject({ speak: false, hear: true });
      expect((await participant(doc.id, b.participant_id)).speak).toBe(true);
      expectSuccess(await act(path, 'deaf', undefined, shape));
      expect(await participant(doc.id, a.participant_id)).toMatchObject({ speak: false, hear: false });
      expectSuccess(await act(path, 'unmute', undefined, shape));
      expect(await participant(doc.id, a.participant_id)).toMatchObject({ speak: true, hear: false });
      expectSuccess(await act(path, 'undeaf', undefined, shape));
      expect(await participant(doc.id, a.participant_id)).toMatchObject({ speak: true, hear: true });
    }
    const unknown = await act(path, 'explode');
    expectError(unknown, 400, ['action']);
    for (const allowed of ['mute', 'unmute', 'deaf', 'undeaf', 'kick']) expect(unknown.body.message).toContain(allowed);
    expectError(await act(partPath(A, doc.id, 999), 'mute'), 404);
    expectSuccess(await act(path, 'kick', undefined, 'flat'));
    await waitFor('a gone', async () => ((await api('GET', path, undefined, master.token)).status === 404 ? true : undefined));
    expectError(await api('GET', path, undefined, master.token), 404);
    expectError(await act(path, 'mute'), 404);
    expect((await participant(doc.id, b.participant_id)).participant_id).toBe(b.participant_id);
    expectSuccess(await act(partPath(A, doc.id, b.participant_id), 'kick', undefined, 'nested'));
  });

  it('ad hoc: POST to a conference id that does not exist, with data.config, creates it while someone is in it', async () => {
    const id = `adhoc-${Date.now()}`;
    expectError(await api('GET', confPath(A, id), undefined, master.token), 404);
    // Without config, a join to an unknown conference is a 404.
    expectError(await api('POST', partPath(A, id), { data: { sdp: ffmpegOffer('opus', 41700) } }, master.token), 404);
    const joined = await join(id, { config: { name: 'ad hoc room', member: { join_muted: false } } });
    const got = expectSuccess(await api('GET', confPath(A, id), undefined, master.token));
    expect(got).toMatchObject({ id, name: 'ad hoc room' });
    expect(got._read_only.members).toBe(1);
    expect((await participant(id, joined.participant_id)).speak).toBe(true); // the config's member.join_muted applies
    // A second join needs no config: the conference exists while it is live.
    const second = await join(id);
    expect(expectSuccess(await api('GET', confPath(A, id), undefined, master.token))._read_only.members).toBe(2);
    // The config is validated like a document.
    expectError(await api('POST', partPath(A, `adhoc-bad-${Date.now()}`), { data: { sdp: ffmpegOffer('opus', 41702), config: { name: 'n'.repeat(129) } } }, master.token), 400, ['name']);
    expectSuccess(await act(partPath(A, id, joined.participant_id), 'kick'));
    expectSuccess(await act(partPath(A, id, second.participant_id), 'kick'));
    // When the last one leaves, the ad-hoc conference is gone.
    await waitFor('ad-hoc conference gone', async () => ((await api('GET', confPath(A, id), undefined, master.token)).status === 404 ? true : undefined));
  });
});

describe('robustness of the conference lifecycle', () => {
  const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec((await api('GET', '/metrics')).text)?.[1]);

  it('a malformed percent-escape in the path is a 4xx in the error envelope, not a 500', async () => {
    for (const path of ['/v2/accounts/%ZZ', `/v2/accounts/${A}/conferences/%E0%A4%A`, `/v2/accounts/${A}/conferences/x/participants/%`]) {
      const r = await api('GET', path, undefined, master.token);
      expect(r.status, `${path}: ${r.text}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${path}: ${r.text}`).toBeLessThan(500);
      expect(r.body.status).toBe('error');
    }
  });

  it('max_participants holds when joins arrive at the same time', async () => {
    const doc = await createConference({ name: 'race', max_participants: 1 });
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => api('POST', partPath(A, doc.id), { data: { sdp: ffmpegOffer('opus', 41900 + 2 * i) } }, master.token)),
    );
    const statuses = results.map((r) => r.status).sort();
    const members = expectSuccess(await api('GET', partPath(A, doc.id), undefined, master.token)) as Json[];
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
    expect(members, `statuses ${statuses.join(',')}`).toHaveLength(1);
    expect(statuses).toEqual([201, 409, 409, 409]);
  });

  it('a failed first join (bad SDP, wrong pin) leaves no running conference and no ad-hoc conference behind', async () => {
    const before = await metric('roomtone_conferences');
    expect(Number.isFinite(before)).toBe(true);
    const doc = await createConference({ name: 'failing', member: { pins: ['1111'] } });
    expectError(await api('POST', partPath(A, doc.id), { data: { sdp: 'not an sdp' } }, master.token), 400, ['sdp']);
    const badPin = await api('POST', partPath(A, doc.id), { data: { sdp: ffmpegOffer('opus', 41980), pin: '0000' } }, master.token);
    expect(badPin.status).toBe(403);
    const adhoc = `adhoc-fail-${Date.now()}`;
    expectError(await api('POST', partPath(A, adhoc), { data: { sdp: 'not an sdp', config: { name: 'never' } } }, master.token), 400, ['sdp']);
    expectError(await api('GET', confPath(A, adhoc), undefined, master.token), 404);
    // Nobody joined, so no conference may be left running (a live one with no members is never retired).
    await new Promise((r) => setTimeout(r, 300));
    expect(await metric('roomtone_conferences')).toBe(before);
    expect(expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token))._read_only).toMatchObject({ members: 0, duration: 0 });
  });

  it('the lock of an ad-hoc conference ends with it: the id can be used again', async () => {
    const id = `adhoc-lock-${Date.now()}`;
    const first = await join(id, { config: { name: 'locked ad hoc' } });
    expectSuccess(await act(confPath(A, id), 'lock'));
    expectError(await api('POST', partPath(A, id), { data: { sdp: ffmpegOffer('opus', 41984), config: {} } }, master.token), 409);
    expectSuccess(await act(partPath(A, id, first.participant_id), 'kick'));
    await waitFor('ad-hoc conference gone', async () => ((await api('GET', confPath(A, id), undefined, master.token)).status === 404 ? true : undefined));
    // A new ad-hoc conference under the same id: it does not exist (404), so it cannot be locked.
    const again = await api('POST', partPath(A, id), { data: { sdp: ffmpegOffer('opus', 41986), config: { name: 'fresh' } } }, master.token);
    expectSuccess(again, 201);
    expect(expectSuccess(await api('GET', confPath(A, id), undefined, master.token))._read_only.is_locked).toBe(false);
    expectSuccess(await act(partPath(A, id), 'kick'));
  });

  it('deleting a locked conference does not leave its lock behind for the ad-hoc id space', async () => {
    // A stored conference is deleted while locked; an ad-hoc conference can never take a 32-hex id
    // of a stored one in practice, but the lock must not outlive the document either way.
    const doc = await createConference({ name: 'locked-then-deleted' });
    expectSuccess(await act(confPath(A, doc.id), 'lock'));
    expectSuccess(await api('DELETE', confPath(A, doc.id), undefined, master.token));
    const adhoc = await api('POST', partPath(A, doc.id), { data: { sdp: ffmpegOffer('opus', 41988), config: { name: 'reuse' } } }, master.token);
    expectSuccess(adhoc, 201);
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
  });

  it('reserved keys (_read_only, pvt_*) from the client are not stored in the document', async () => {
    const doc = await createConference({ name: 'reserved', _read_only: { members: 99 }, pvt_vendor: 'x' });
    expect(doc._read_only).toBeUndefined();
    expect(doc.pvt_vendor).toBeUndefined();
    const row = (expectSuccess(await api('GET', confPath(A), undefined, master.token)) as Json[]).find((d) => d.id === doc.id)!;
    expect(row._read_only).toBeUndefined();
    expect(row.members).toBe(0);
  });
});

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
  it('documents persist across a SIGTERM restart; auth tokens do not, API keys do', async () => {
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
      expectError(await second.api('GET', confPath(m.accountId, docA.id), undefined, m.token), 401);
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
