// Profile fields and media controls over real RTP against the real server.
import { describe, expect, it } from 'vitest';
import { sleep } from '../helpers/audio.js';
import { A, act, confPath, createConference, master, partPath, server, useApiServer } from '../helpers/apiSession.js';
import { closeMembersAfterEach, heardSince, level, mark, member } from '../helpers/rtpMembers.js';
import { looksLikeSpeech } from '../helpers/speech.js';
import { WsClient } from '../helpers/serverProcess.js';

useApiServer('31100-31199');
closeMembersAfterEach();

describe('profile and media controls', () => {
  it("the profile's energy-level gates a quiet talker, and its rate and interval run the conference", async () => {
    const conf = (await createConference({ member: { join_muted: false }, play_entry_tone: false, profile: { 'energy-level': 20000, rate: 16000, interval: 40 } })).id;
    const listener = await member(conf, null);
    await member(conf, 523); // about 5000 mean |sample|: under the 20000 gate
    expect(await level(listener, 523, 800), 'gated by energy-level').toBeLessThan(-60);
    const open = (await createConference({ member: { join_muted: false }, play_entry_tone: false, profile: { rate: 16000, interval: 40 } })).id;
    const l2 = await member(open, null);
    await member(open, 523);
    expect(await level(l2, 523, 800), 'heard through a 16 kHz / 40 ms conference').toBeGreaterThan(-30);
  }, 20_000);

  it("comfort-noise: while nobody talks, every listener hears the profile's background noise (and none without it)", async () => {
    const rms = (pcm: Int16Array) => Math.sqrt(pcm.reduce((a, x) => a + x * x, 0) / Math.max(1, pcm.length));
    const heard = async (profile: Record<string, unknown>) => {
      const conf = (await createConference({ member: { join_muted: false }, play_entry_tone: false, profile })).id;
      const a = await member(conf, null);
      await member(conf, null);
      await sleep(800);
      const from = mark(a);
      await sleep(1000);
      return rms(heardSince(a, from));
    };
    const noisy = await heard({ 'comfort-noise': 500 });
    const silent = await heard({});
    console.log(`comfort-noise 500: a listener hears RMS ${noisy.toFixed(0)}; without it ${silent.toFixed(0)}`);
    expect(noisy).toBeGreaterThan(150); // uniform noise of amplitude 500 has an RMS of about 290
    expect(silent).toBeLessThan(20);
  }, 20_000);

  it('a lone participant hears the alone sound until someone joins', async () => {
    const conf = (await createConference({ member: { join_muted: false }, play_entry_tone: false })).id;
    const alone = await member(conf, null);
    const from = mark(alone);
    expect(await level(alone, 350, 3000), 'alone: hold music by default, after the spoken prompt').toBeGreaterThan(-40);
    expect(looksLikeSpeech(heardSince(alone, from).subarray(0, 48000 * 1.5)), '"you are the first participant", spoken first').toBe(true);
    const company = await member(conf, null);
    expect(await level(alone, 350), 'company: it stops').toBeLessThan(-50);
    const left = mark(alone);
    expect((await act(partPath(A, conf, company.id), 'kick')).status).toBe(200);
    expect(await level(alone, 350, 3500), 'alone again: the hold music, after the spoken prompt').toBeGreaterThan(-40);
    expect(looksLikeSpeech(heardSince(alone, left).subarray(0, 48000 * 1.5)), '"you are the only participant", spoken').toBe(true);
  }, 25_000);

  it('play can be stopped, and play-start and play-end are emitted', async () => {
    const conf = (await createConference({ member: { join_muted: false }, play_entry_tone: false })).id;
    const ws = await WsClient.connect(server.url);
    try {
      await ws.subscribe(master.token, A, `conference.event.${conf}.*`);
      const a = await member(conf, null);
      await member(conf, null);
      const started = ws.waitEvent('play-start');
      expect((await act(confPath(A, conf), 'play', { media_id: 'tone_stream://%(10000,0,1500)' })).status).toBe(200);
      await started;
      expect(await level(a, 1500, 300), 'playing').toBeGreaterThan(-30);
      expect((await act(confPath(A, conf), 'stop_play')).status).toBe(200);
      expect(await level(a, 1500), 'stopped').toBeLessThan(-60);
      const ended = ws.waitEvent('play-end');
      expect((await act(confPath(A, conf), 'play', { media_id: 'tone_stream://%(300,0,1500)' })).status).toBe(200);
      expect((await ended).data.conference_id).toBe(conf);
      await sleep(100);
    } finally {
      ws.close();
    }
  }, 20_000);
});
