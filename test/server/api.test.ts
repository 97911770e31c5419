// The HTTP API of the real server process: auth, accounts, access control, conference documents
// and request validation, with Kazoo's envelope checked on every answer. Nothing is mocked:
// `node dist/src/cli/main.js serve` runs with its own data dir and RTP port range.
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ffmpegOffer } from '../helpers/ffmpeg.js';
import { randomApiKey, type Json } from '../helpers/serverProcess.js';
import { A, act, api, B, confPath, createConference, expectError, expectSuccess, HEX32, join, master, partPath, server, useApiServer } from '../helpers/apiSession.js';

useApiServer('30000-30074');

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
