// Kazoo's play_name over the real server: a caller is asked for its name, what it says then is
// heard by nobody, and the conference hears "<name> has joined" and, when it goes, "<name> has
// left". The "name" here is a 700 Hz tone the caller sends only while it is asked for it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeOggOpus } from '../../src/media/store/oggOpusDecode.js';
import { NAME_MS } from '../../src/service/NameRecorder.js';
import { shippedAudioDir } from '../../src/service/prompts/PromptLibrary.js';
import { goertzelDb, sleep, tone } from '../helpers/audio.js';
import { A, act, api, createConference, expectSuccess, master, partPath, useApiServer } from '../helpers/apiSession.js';
import { closeMembersAfterEach, heardSince, mark, member, RATE } from '../helpers/rtpMembers.js';
import { looksLikeSpeech } from '../helpers/speech.js';

useApiServer('31760-31779');
closeMembersAfterEach();

const promptMs = (decodeOggOpus(readFileSync(join(shippedAudioDir(), 'en', 'say_your_name.ogg'))).length / RATE) * 1000;
const window = (pcm: Int16Array, fromMs: number, toMs: number) => pcm.subarray(Math.round((fromMs / 1000) * RATE), Math.round((toMs / 1000) * RATE));

describe('play_name', () => {
  it('the name is recorded unheard, then announced on entry and on exit', async () => {
    const conf = (await createConference({ play_name: true, member: { join_muted: false } })).id;
    const a = await member(conf, null);
    const admitted = promptMs + 200 + NAME_MS + 500;
    await sleep(admitted + 300); // a says nothing as its name, and is in
    expect((expectSuccess(await api('GET', partPath(A, conf), undefined, master.token)) as unknown[]).length).toBe(1);

    const from = mark(a);
    const b = await member(conf, null);
    // b "says its name" from its join until the recording is over, and nothing after.
    void b.client.sendSignal(tone(700, RATE, (promptMs + 200 + NAME_MS) / 1000)).catch(() => {});
    await sleep(admitted + 4000);
    const heard = heardSince(a, from);
    const nameWindow = window(heard, 500, promptMs + NAME_MS);
    const announced = window(heard, admitted, admitted + NAME_MS);
    console.log(`play_name: a hears 700 Hz at ${goertzelDb(nameWindow, 700, RATE).toFixed(1)} dB while b records its name, ${goertzelDb(announced, 700, RATE).toFixed(1)} dB in the announcement`);
    expect(goertzelDb(nameWindow, 700, RATE), 'nobody hears the name being recorded').toBeLessThan(-60);
    expect(goertzelDb(announced, 700, RATE), 'the name is announced to the conference').toBeGreaterThan(-35);
    expect(looksLikeSpeech(window(heard, admitted + NAME_MS, admitted + NAME_MS + 1500)), '"has joined", spoken after the name').toBe(true);

    const leaving = mark(a);
    expect((await act(partPath(A, conf, b.id), 'kick')).status).toBe(200);
    await sleep(NAME_MS + 2500);
    const after = heardSince(a, leaving);
    expect(goertzelDb(window(after, 200, NAME_MS), 700, RATE), 'the name again as b leaves').toBeGreaterThan(-35);
    expect(looksLikeSpeech(window(after, NAME_MS, NAME_MS + 1500)), '"has left"').toBe(true);
  }, 40_000);
});
