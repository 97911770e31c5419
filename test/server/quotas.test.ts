// Per-account quotas and Kazoo's paginated listing, through the server: each refusal names its
// quota, with the limit as the target; another account is not affected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectSuccess } from '../helpers/apiSession.js';
import { ffmpegOffer } from '../helpers/ffmpeg.js';
import { makeWav, sine } from '../media/store/fixtures.js';
import { startServer, type ServerProcess } from '../helpers/serverProcess.js';

let server: ServerProcess;
let a: { token: string; accountId: string };
let b: { token: string; accountId: string };

beforeAll(async () => {
  server = await startServer({
    rtpPorts: '31720-31759',
    env: {
      ROOMTONE_QUOTA_CONFERENCES: '3',
      ROOMTONE_QUOTA_DOCUMENT_BYTES: '2048',
      ROOMTONE_QUOTA_PARTICIPANTS: '2',
      ROOMTONE_QUOTA_MEDIA_ITEMS: '2',
      ROOMTONE_QUOTA_MEDIA_MIB: '1',
    },
  });
  const master = await server.login(server.masterApiKey!);
  const make = async (name: string) => {
    const created = expectSuccess(await server.api('PUT', '/v2/accounts', { data: { name } }, master.token), 201);
    return server.login(created.api_key);
  };
  a = await make('quota-a');
  b = await make('quota-b');
}, 30_000);
afterAll(async () => {
  if (server) await server.stop();
});

const confs = (account: string) => `/v2/accounts/${account}/conferences`;
const create = (who: { token: string; accountId: string }, data: Record<string, unknown>) => server.api('PUT', confs(who.accountId), { data }, who.token);

describe('quotas', () => {
  it('conference documents: the size of one (unknown fields kept within it), then the count; listings paginate', async () => {
    const big = expectError(await create(a, { name: 'big', notes: 'x'.repeat(3000) }), 413, ['document_size']);
    expect(big.document_size.quota.target).toBe(2048);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(expectSuccess(await create(a, { name: `room-${i}`, custom: { kept: i } }), 201).id);
    const full = expectError(await create(a, { name: 'one too many' }), 429, ['conferences']);
    expect(full.conferences.quota.target).toBe(3);
    expectSuccess(await create(b, { name: 'other account' }), 201);
    // A PATCH that would make a document too large is refused too.
    expectError(await server.api('PATCH', `${confs(a.accountId)}/${ids[0]}`, { data: { notes: 'y'.repeat(3000) } }, a.token), 413, ['document_size']);

    const first = await server.api('GET', `${confs(a.accountId)}?page_size=2`, undefined, a.token);
    expect(expectSuccess(first).map((d: { id: string }) => d.id)).toEqual(ids.slice(0, 2));
    expect(first.body.page_size).toBe(2);
    expect(first.body.next_start_key).toBe(ids[2]);
    const second = await server.api('GET', `${confs(a.accountId)}?page_size=2&start_key=${first.body.next_start_key}`, undefined, a.token);
    expect(expectSuccess(second).map((d: { id: string; custom: unknown }) => [d.id, d.custom])).toEqual([[ids[2], { kept: 2 }]]);
    expect(second.body.next_start_key).toBeUndefined();
    expect(second.body.start_key).toBe(ids[2]);
    expect(expectSuccess(await server.api('GET', `${confs(a.accountId)}?paginate=false`, undefined, a.token))).toHaveLength(3);
    expectError(await server.api('GET', `${confs(a.accountId)}?page_size=1000`, undefined, a.token), 400, ['page_size']);
  });

  it('live participants across the account\'s conferences', async () => {
    const [one, two] = expectSuccess(await server.api('GET', `${confs(a.accountId)}?paginate=false`, undefined, a.token)) as { id: string }[];
    const join = (conf: string, port: number) => server.api('POST', `${confs(a.accountId)}/${conf}/participants`, { data: { sdp: ffmpegOffer('opus', port) } }, a.token);
    expectSuccess(await join(one.id, 42100), 201);
    expectSuccess(await join(two.id, 42102), 201);
    const refused = expectError(await join(two.id, 42104), 429, ['participants']);
    expect(refused.participants.quota.target).toBe(2);
    expectSuccess(await server.api('PUT', `${confs(a.accountId)}/${one.id}/participants`, { data: { action: 'kick' } }, a.token));
    expectSuccess(await join(two.id, 42106), 201);
  });

  it('media: the number of documents and the bytes of stored audio', async () => {
    const media = `/v2/accounts/${a.accountId}/media`;
    const m1 = expectSuccess(await server.api('PUT', media, { data: { name: 'one' } }, a.token), 201);
    expectSuccess(await server.api('PUT', media, { data: { name: 'two' } }, a.token), 201);
    expectError(await server.api('PUT', media, { data: { name: 'three' } }, a.token), 429, ['media_items']);
    const page = await server.api('GET', `${media}?page_size=1`, undefined, a.token);
    expect(expectSuccess(page).map((d: { name: string }) => d.name)).toEqual(['one']);
    const rest = await server.api('GET', `${media}?page_size=1&start_key=${page.body.next_start_key}`, undefined, a.token);
    expect(expectSuccess(rest).map((d: { name: string }) => d.name)).toEqual(['two']);
    expect(rest.body.next_start_key).toBeUndefined();
    // 12 s stored at 48 kHz is 1.1 MB: over the 1 MiB quota, though the 8 kHz upload is 192 kB.
    const long = makeWav(sine(440), 12, { rate: 8000 });
    const refused = expectError(await server.api('POST', `${media}/${m1.id}/raw`, long, a.token, { 'content-type': 'audio/wav' }), 413, ['media_bytes']);
    expect(refused.media_bytes.quota.target).toBe(1024 * 1024);
    expectSuccess(await server.api('POST', `${media}/${m1.id}/raw`, makeWav(sine(440), 2, { rate: 8000 }), a.token, { 'content-type': 'audio/wav' }));
  });
});
