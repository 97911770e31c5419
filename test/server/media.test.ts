// The media store through the real server: upload a WAV, play it by id; play a URL.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goertzelDb, sleep, tone } from '../helpers/audio.js';
import { A, act, api, createConference, expectSuccess, master, partPath, server, useApiServer } from '../helpers/apiSession.js';
import { closeMembersAfterEach, member, RATE } from '../helpers/rtpMembers.js';
import { wavBytes } from '../helpers/wav.js';

useApiServer('31000-31099', { ROOMTONE_FETCH_ALLOW: '127.0.0.0/8' }); // the test's HTTP servers are on loopback

let files: Server;
beforeAll(async () => {
  files = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'audio/wav' });
    res.end(wavBytes(tone(700, 22050, 3), 22050));
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise((r) => files.close(r)));
closeMembersAfterEach();
const listener = (conf: string) => member(conf, null);

describe('media store', () => {
  it('uploads a 44.1 kHz WAV and plays it by media id to one participant', async () => {
    const media = expectSuccess(await api('PUT', `/v2/accounts/${A}/media`, { data: { name: 'chime' } }, master.token), 201);
    const upload = await fetch(`${server.url}/v2/accounts/${A}/media/${media.id}/raw`, {
      method: 'POST',
      headers: { 'x-auth-token': master.token, 'content-type': 'audio/wav' },
      body: wavBytes(tone(1000, 44100, 3), 44100),
    });
    expect(upload.status).toBe(200);
    expect(((await upload.json()) as { data: { duration_ms: number } }).data.duration_ms).toBeGreaterThan(2900);

    const conf = (await createConference({ member: { join_muted: false }, play_entry_tone: false })).id;
    const a = await listener(conf);
    const b = await listener(conf);
    await sleep(500);
    expect((await act(partPath(A, conf, a.id), 'play', { media_id: media.id })).status).toBe(200);
    await sleep(300);
    const fromA = a.client.decoded().length;
    const fromB = b.client.decoded().length;
    await sleep(800);
    expect(goertzelDb(a.client.decoded().subarray(fromA), 1000, RATE)).toBeGreaterThan(-30);
    expect(goertzelDb(b.client.decoded().subarray(fromB), 1000, RATE)).toBeLessThan(-60);
  }, 20_000);

  it('plays an http URL to the whole conference (fetched once, cached)', async () => {
    const conf = (await createConference({ member: { join_muted: false }, play_entry_tone: false })).id;
    const a = await listener(conf);
    await sleep(300);
    const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/hello.wav`;
    expect((await act(`/v2/accounts/${A}/conferences/${conf}`, 'play', { media_id: url })).status).toBe(200);
    await sleep(400);
    const from = a.client.decoded().length;
    await sleep(800);
    expect(goertzelDb(a.client.decoded().subarray(from), 700, RATE)).toBeGreaterThan(-30);
  }, 20_000);
});
