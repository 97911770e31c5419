// End to end through the real server process: two ffmpeg participants join through
// POST .../participants. A websocket subscriber sees add-member for both and start-talking for
// the tone sender. A mute of one participant gives mute-member, and that participant's tone
// disappears from the other's recording.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goertzelDb, sleep } from '../helpers/audio.js';
import { ffmpegOffer, freePortPair, processes, receiverSdp, startReceiver, startSender } from '../helpers/ffmpeg.js';
import { startServer, WsClient, type Json, type ServerProcess } from '../helpers/serverProcess.js';
import { requireTool } from '../helpers/tools.js';
import { readWav } from '../helpers/wav.js';

const RTP_PORTS = '30400-30599'; // api.test.ts uses 30000-30199, websocket.test.ts 30200-30399
const mPort = (sdp: string) => Number(/m=audio (\d+)/.exec(sdp)![1]);

// Timeline (seconds from spawning B's recorder). The recording starts with the first packet
// B's ffmpeg receives, some time d after its spawn (d is ffmpeg start-up plus the first mix
// packet: well under 1.4 s). A recording position t is then wall time d + t, so the windows
// below hold for any d in [0, 1.4]: "before" ends by wall 4.3 s < MUTE_AT, "after" starts at
// wall >= 5.1 s, leaving the mute 600 ms to reach the mix and pass B's playout buffer.
const RECORD_SECONDS = 9;
const MUTE_AT = 4.5;
const BEFORE = [1.6, 2.9] as const;
const AFTER = [5.1, 8.5] as const;

const EVENT_FIELDS: Record<string, string> = {
  participant_id: 'number',
  call_id: 'string',
  caller_id_name: 'string',
  caller_id_number: 'string',
  speak: 'boolean',
  hear: 'boolean',
  talking: 'boolean',
  floor: 'boolean',
  mute_detect: 'boolean',
  video: 'boolean',
  energy_level: 'number',
  current_energy: 'number',
  conference_id: 'string',
  event: 'string',
};

describe('two ffmpeg participants through the server process', () => {
  const procs = processes();
  let server: ServerProcess | undefined;
  let ws: WsClient | undefined;

  beforeAll(() => requireTool('ffmpeg'));
  afterAll(async () => {
    procs.kill();
    await ws?.close();
    if (server) {
      const { killed } = await server.stop();
      expect(killed, `the server stops on SIGTERM\n${server.diagnostics()}`).toBe(false);
    }
  });

  it('events for join, talk and mute; the muted tone disappears from the other recording', async () => {
    server = await startServer({ rtpPorts: RTP_PORTS });
    const { token, accountId: A } = await server.login(server.masterApiKey!);
    // Members join muted by default: this conference lets them speak.
    const created = await server.api('PUT', `/v2/accounts/${A}/conferences`, { data: { name: 'e2e', member: { join_muted: false } } }, token);
    expect(created.status, created.text).toBe(201);
    const C = created.body.data.id as string;

    ws = await WsClient.connect(server.url);
    const sub = await ws.subscribe(token, A, `conference.event.${C}.*`);
    expect(sub, JSON.stringify(sub)).toMatchObject({ status: 'success' });

    const dir = mkdtempSync(join(tmpdir(), 'roomtone-e2e-'));
    const people = [
      { name: 'alice', callId: 'e2e-alice', freq: 440 },
      { name: 'bob', callId: 'e2e-bob', freq: 880 },
    ];
    const joined = [];
    for (const p of people) {
      const recvPort = await freePortPair();
      const sendPort = await freePortPair();
      const r = await server.api(
        'POST',
        `/v2/accounts/${A}/conferences/${C}/participants`,
        { data: { sdp: ffmpegOffer('opus', recvPort), caller_id_name: p.name, caller_id_number: `10${joined.length}`, call_id: p.callId } },
        token,
      );
      expect(r.status, r.text).toBe(201);
      expect(r.body.data.call_id).toBe(p.callId);
      joined.push({ ...p, recvPort, sendPort, participantId: r.body.data.participant_id as number, answer: r.body.data.sdp as string });
    }
    const [alice, bob] = joined;

    // add-member for both, with the fields of the seed's example event.
    for (const p of joined) {
      const e = await ws.waitEvent('add-member', p.callId);
      expect(e).toMatchObject({ action: 'event', subscribed_key: `conference.event.${C}.*`, routing_key: `conference.event.${C}.${p.callId}`, name: 'add-member' });
      for (const [field, type] of Object.entries(EVENT_FIELDS)) expect(typeof e.data[field], `add-member data.${field}`).toBe(type);
      expect(e.data).toMatchObject({
        event: 'add-member',
        participant_id: p.participantId,
        call_id: p.callId,
        caller_id_name: p.name,
        conference_id: C,
        speak: true,
        hear: true,
        talking: false,
        mute_detect: false,
      });
      expect(e.data.account_id ?? e.data.custom_channel_vars?.account_id).toBe(A);
    }

    // Bob records what he hears; both send their tone.
    const recordStart = Date.now();
    const recording = startReceiver(procs, { sdp: receiverSdp(bob.answer, bob.recvPort), dir, name: 'bob', seconds: RECORD_SECONDS });
    const recordingDone = recording.then(
      () => true,
      () => false,
    );
    for (const p of joined) startSender(procs, { codec: 'opus', freq: p.freq, toPort: mPort(p.answer), fromPort: p.sendPort, seconds: RECORD_SECONDS + 4 });

    const talking = await ws.waitEvent('start-talking', alice.callId, 4000);
    expect(talking).toMatchObject({ name: 'start-talking', routing_key: `conference.event.${C}.${alice.callId}` });
    for (const [field, type] of Object.entries(EVENT_FIELDS)) expect(typeof talking.data[field], `start-talking data.${field}`).toBe(type);
    expect(talking.data).toMatchObject({ event: 'start-talking', participant_id: alice.participantId, talking: true, speak: true });
    const talkingAt = (Date.now() - recordStart) / 1000;

    // Mute Alice at MUTE_AT into the recording.
    const wait = MUTE_AT * 1000 - (Date.now() - recordStart);
    expect(wait, `start-talking arrived ${talkingAt.toFixed(2)} s into the recording, too late for the timeline`).toBeGreaterThan(0);
    await sleep(wait);
    const muteSentAt = (Date.now() - recordStart) / 1000;
    const muted = await server.api('PUT', `/v2/accounts/${A}/conferences/${C}/participants/${alice.participantId}`, { data: { action: 'mute' } }, token);
    expect(muted.status, muted.text).toBe(200);
    const muteEvent = await ws.waitEvent('mute-member', alice.callId, 2000);
    const muteEventAt = (Date.now() - recordStart) / 1000;
    for (const [field, type] of Object.entries(EVENT_FIELDS)) expect(typeof muteEvent.data[field], `mute-member data.${field}`).toBe(type);
    expect(muteEvent.data).toMatchObject({ event: 'mute-member', participant_id: alice.participantId, call_id: alice.callId, speak: false, hear: true });
    // Only Alice was muted.
    expect(ws.events.filter((e) => e.name === 'mute-member' && e.data.call_id !== alice.callId)).toEqual([]);
    const state = await server.api('GET', `/v2/accounts/${A}/conferences/${C}/participants`, undefined, token);
    const byId = new Map((state.body.data as Json[]).map((p) => [p.participant_id, p]));
    expect(byId.get(alice.participantId)).toMatchObject({ speak: false, hear: true });
    expect(byId.get(bob.participantId)).toMatchObject({ speak: true, hear: true });

    // The recording must finish on its own (-t): the mix keeps flowing to Bob after the mute.
    const finished = await Promise.race([recordingDone, sleep((RECORD_SECONDS + 12) * 1000).then(() => false)]);
    const wav = await recording.catch((e: Error) => {
      throw new Error(`Bob's recording did not complete: ${e.message}\n${server!.diagnostics()}`);
    });
    expect(finished).toBe(true);

    const { rate, samples } = readWav(wav);
    const seconds = samples.length / rate;
    const window = ([from, to]: readonly [number, number]) => samples.subarray(Math.round(from * rate), Math.round(to * rate));
    const profile: string[] = [];
    for (let t = 0; t + 0.25 <= seconds; t += 0.25) {
      const w = window([t, t + 0.25]);
      profile.push(`${t.toFixed(2)}:${goertzelDb(w, 440, rate).toFixed(0)}/${goertzelDb(w, 880, rate).toFixed(0)}`);
    }
    const before440 = goertzelDb(window(BEFORE), 440, rate);
    const after440 = goertzelDb(window(AFTER), 440, rate);
    const before880 = goertzelDb(window(BEFORE), 880, rate);
    const report =
      `recording ${seconds.toFixed(2)} s; start-talking at ${talkingAt.toFixed(2)} s, mute sent at ${muteSentAt.toFixed(2)} s, ` +
      `mute-member at ${muteEventAt.toFixed(2)} s (wall, from the recorder's spawn)\n` +
      `440 Hz before ${before440.toFixed(1)} dBFS, after ${after440.toFixed(1)} dBFS; Bob's own 880 Hz before ${before880.toFixed(1)} dBFS\n` +
      `440/880 dBFS per 250 ms: ${profile.join(' ')}`;
    console.log(report);
    expect(seconds, report).toBeGreaterThanOrEqual(AFTER[1]);
    expect(before440, report).toBeGreaterThan(-30);
    expect(after440, report).toBeLessThan(-60);
    // Bob never hears himself.
    expect(before440 - before880, report).toBeGreaterThan(20);

    // Unmuting brings nothing back into the finished recording, but the events keep flowing.
    const unmute = await server.api('PUT', `/v2/accounts/${A}/conferences/${C}/participants/${alice.participantId}`, { action: 'unmute' }, token);
    expect(unmute.status).toBe(200);
    expect((await ws.waitEvent('unmute-member', alice.callId, 2000)).data.speak).toBe(true);

    // Kick both: del-member for each, then the conference is empty again.
    const kicked = await server.api('PUT', `/v2/accounts/${A}/conferences/${C}/participants`, { data: { action: 'kick' } }, token);
    expect(kicked.status).toBe(200);
    for (const p of joined) await ws.waitEvent('del-member', p.callId, 3000);
    const after = await server.api('GET', `/v2/accounts/${A}/conferences/${C}`, undefined, token);
    expect(after.body.data._read_only).toMatchObject({ members: 0, participants: [] });
  }, 60_000);
});
