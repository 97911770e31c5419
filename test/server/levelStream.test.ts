// The level stream against the real server (issue 19): `conference.levels.{C}` on the websocket
// delivers every member's current energy and talking flag, one batched frame at most ten times a
// second; a member saying a tone reads higher than a silent one and is talking. Another account's
// token cannot subscribe to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../helpers/audio.js';
import { A, B, createConference, master, server, useApiServer } from '../helpers/apiSession.js';
import { closeMembersAfterEach, member } from '../helpers/rtpMembers.js';
import { WsClient, type Json } from '../helpers/serverProcess.js';

useApiServer('31580-31599');
closeMembersAfterEach();

let ws: WsClient;
beforeAll(async () => {
  ws = await WsClient.connect(server.url);
});
afterAll(() => ws?.close());

describe('conference.levels.{C}', () => {
  it('batched frames at most 10 a second; the tone sender reads higher than the silent member and is talking', async () => {
    const conf = (await createConference({ member: { join_muted: false }, play_entry_tone: false })).id as string;
    const loud = await member(conf, 440, {}, { seconds: 10 });
    const quiet = await member(conf, null);
    const key = `conference.levels.${conf}`;
    expect((await ws.subscribe(master.token, A, key)).status).toBe('success');
    await sleep(1000); // the tone reaches the talk detector
    const start = ws.messages.length;
    await sleep(2000);
    const frames = ws.messages.slice(start).filter((m) => m.routing_key === key);
    console.log(`level stream: ${frames.length} frames in 2 s; last ${JSON.stringify(frames.at(-1)?.data)}`);
    expect(frames.length).toBeGreaterThanOrEqual(14);
    expect(frames.length).toBeLessThanOrEqual(22);
    for (const f of frames) {
      expect(f).toMatchObject({ action: 'event', name: 'levels', subscribed_key: key });
      expect((f.data.participants as Json[]).map((p) => p.participant_id).sort()).toEqual([loud.id, quiet.id].sort());
    }
    const last = frames.at(-1)!.data.participants as Json[];
    const of = (id: number) => last.find((p) => p.participant_id === id)!;
    expect(of(loud.id).current_energy).toBeGreaterThan(of(quiet.id).current_energy);
    expect(of(loud.id).talking).toBe(true);
    expect(of(quiet.id).talking).toBe(false);
    expect(of(loud.id).call_id).toBe(loud.callId);

    expect((await ws.unsubscribe(master.token, A, key)).status).toBe('success');
    await sleep(300);
    const after = ws.messages.length;
    await sleep(500);
    expect(ws.messages.slice(after).filter((m) => m.routing_key === key)).toEqual([]);
  }, 30_000);

  it("another account's token cannot subscribe to this account's level stream; a malformed binding is 400", async () => {
    const conf = (await createConference()).id as string;
    const refused = await ws.subscribe(B.token, A, `conference.levels.${conf}`);
    expect(refused.status).toBe('error');
    const bad = await ws.subscribe(master.token, A, 'conference.levels.');
    expect(bad).toMatchObject({ status: 'error', error: '400' });
  });
});
