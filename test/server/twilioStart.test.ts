// SignalWire/Twilio's start and recording semantics (seed 004) against the real server: a lone
// caller hears hold music and the conference has not begun; the second party begins it
// (conference-start, record-from-start); when it ends the recordingStatusCallback brings a
// RecordingUrl that downloads the WAV, and the eventCallbackUrl is POSTed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../helpers/audio.js';
import { A, act, api, confPath, createConference, expectSuccess, master, partPath, server, useApiServer } from '../helpers/apiSession.js';
import { closeMembersAfterEach, level, member } from '../helpers/rtpMembers.js';
import { waitFor } from '../helpers/serverProcess.js';

useApiServer('31970-31999', { ROOMTONE_FETCH_ALLOW: '127.0.0.0/8' }); // the callback receiver is on loopback
closeMembersAfterEach();

let receiver: Server;
const received: { path: string; method: string; params: URLSearchParams }[] = [];
const url = (path: string) => `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${path}`;
const at = (path: string) => received.filter((r) => r.path === path).map((r) => r.params);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ path: req.url ?? '', method: req.method ?? '', params: new URLSearchParams(body) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise((r) => receiver.close(r)));

describe('Twilio start and recording semantics', () => {
  it('one party: hold music, no conference-start, no recording; the second party starts both; the recording callback brings a downloadable RecordingUrl', async () => {
    const conf = (
      await createConference({
        name: 'twilio',
        member: { join_muted: false },
        play_entry_tone: false,
        record: true,
        status_callback: { url: url('/status') },
        recording_status_callback: { url: url('/recording'), events: ['in-progress', 'completed'] },
        event_callback_url: url('/ended'),
      })
    ).id;
    const first = await member(conf, 523, {}, { seconds: 8 });
    expect(await level(first, 350, 3000), 'alone: hold music (after "you are the first participant")').toBeGreaterThan(-40);
    await sleep(500);
    const names = () => at('/status').map((p) => p.get('StatusCallbackEvent'));
    expect(names()).toContain('participant-join');
    expect(names(), 'one party has not started the conference').not.toContain('conference-start');
    expect(expectSuccess(await api('GET', `${confPath(A, conf)}/recordings`, undefined, master.token)), 'nothing recorded yet').toEqual([]);
    expect(at('/recording')).toEqual([]);

    await member(conf, 784, {}, { seconds: 8 });
    await waitFor('conference-start', () => names().includes('conference-start'));
    expect(names().indexOf('conference-start')).toBeGreaterThan(names().indexOf('participant-join'));
    const inProgress = await waitFor('recording in-progress', () => at('/recording').find((p) => p.get('RecordingStatus') === 'in-progress'));
    expect(inProgress.get('ConferenceSid')).toBe(conf);
    expect(await level(first, 350, 500), 'company: the hold music stops').toBeLessThan(-50);

    await sleep(1500);
    expectSuccess(await act(partPath(A, conf), 'kick'));
    const done = await waitFor('recording completed', () => at('/recording').find((p) => p.get('RecordingStatus') === 'completed'), 10_000);
    const recordingUrl = done.get('RecordingUrl')!;
    expect(recordingUrl.startsWith(server.url)).toBe(true);
    expect(Number(done.get('RecordingDuration'))).toBeGreaterThanOrEqual(1);
    const download = await fetch(recordingUrl, { headers: { 'x-auth-token': master.token } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('audio/wav');
    const wav = Buffer.from(await download.arrayBuffer());
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.length).toBe(Number(done.get('RecordingFileSize')));

    const ended = await waitFor('eventCallbackUrl', () => received.find((r) => r.path === '/ended'));
    expect(ended.method).toBe('POST');
    expect(ended.params.get('StatusCallbackEvent')).toBe('conference-end');
    expect(Number(ended.params.get('Duration'))).toBeGreaterThanOrEqual(2);
  }, 40_000);

  it('coach by call id: heard only by that call; a call not in the conference is refused with 13240', async () => {
    const conf = (await createConference({ member: { join_muted: false }, play_entry_tone: false })).id;
    const coached = await member(conf, null);
    const other = await member(conf, null);
    const coach = await member(conf, 659, { coach: coached.callId });
    expect(await level(coached, 659, 800), 'the coached call hears the coach').toBeGreaterThan(-30);
    expect(await level(other, 659, 800), 'nobody else does').toBeLessThan(-50);
    const refused = await act(partPath(A, conf, coach.id), 'coach', { participant_id: 'no-such-call' });
    expect(refused.status).toBe(404);
    expect(refused.body.data.coach['13240'].message).toMatch(/not connected/);
  }, 30_000);
});
