// More conference behaviour over real RTP against the real server: lock, relate, mute-all,
// play to one, recording, marked participants and organizer rules.
import { describe, expect, it } from 'vitest';
import { goertzelDb, sleep } from '../helpers/audio.js';
import { A, act, api, confPath, createConference, expectError, expectSuccess, master, partPath, server, useApiServer } from '../helpers/apiSession.js';
import { closeMembersAfterEach, heardSince, level, mark, member, rtpClient } from '../helpers/rtpMembers.js';
import { looksLikeSpeech } from '../helpers/speech.js';
import { readWavBytes } from '../helpers/wav.js';

useApiServer('30900-30999');

closeMembersAfterEach();

const room = async (doc: Record<string, unknown> = {}) => (await createConference({ member: { join_muted: false }, play_entry_tone: false, play_exit_tone: false, ...doc })).id;

describe('conference behaviour, continued', () => {
  it('a lock refuses a newcomer with 409, and the newcomer hears the locked sound', async () => {
    const conf = await room();
    await member(conf, null);
    expect((await act(confPath(A, conf), 'lock')).status).toBe(200);
    const newcomer = await rtpClient();
    const r = await api('POST', partPath(A, conf), { data: { sdp: newcomer.offer } }, master.token);
    const data = expectError(r, 409, ['conference']);
    newcomer.connect(data.conference.locked.target);
    await sleep(1900);
    const heard = newcomer.decoded();
    expect(looksLikeSpeech(heard), 'the locked prompt, spoken').toBe(true);
    const list = expectSuccess(await api('GET', partPath(A, conf), undefined, master.token));
    expect(list).toHaveLength(1);
  }, 20_000);

  it('after relate deaf, A no longer hears B but still hears C; clear restores it', async () => {
    const conf = await room();
    const a = await member(conf, null);
    const b = await member(conf, 523);
    await member(conf, 784);
    expect(await level(a, 523, 800)).toBeGreaterThan(-30);
    const relate = (relationship: string) =>
      act(partPath(A, conf), 'relate', { participant_id: a.id, other_participant: b.id, relationship });
    expect((await relate('deaf')).status).toBe(200);
    expect(await level(a, 523), 'B is gone for A').toBeLessThan(-60);
    expect(await level(a, 784, 0), 'C is still there').toBeGreaterThan(-30);
    const ro = expectSuccess(await api('GET', partPath(A, conf, a.id), undefined, master.token));
    expect(ro.relations).toEqual([{ participant_id: b.id, nohear: true, nospeak: false }]);
    expect((await relate('clear')).status).toBe(200);
    expect(await level(a, 523), 'clear restores B').toBeGreaterThan(-30);
  }, 20_000);

  it('mute-all spares the moderator', async () => {
    const conf = await room();
    const listener = await member(conf, null);
    await member(conf, 523);
    await member(conf, 784, { moderator: true });
    await sleep(800);
    expect((await act(partPath(A, conf), 'mute')).status).toBe(200);
    // (after its own spoken "you are now muted": the listener is a member too)
    expect(await level(listener, 523, 1800), 'the member is muted').toBeLessThan(-60);
    expect(await level(listener, 784, 0), 'the moderator is not').toBeGreaterThan(-30);
  }, 20_000);

  it('play to one participant is heard by that participant only', async () => {
    const conf = await room();
    const a = await member(conf, null);
    const b = await member(conf, null);
    await sleep(500);
    expect((await act(partPath(A, conf, a.id), 'play', { media_id: 'tone_stream://%(3000,0,1500)' })).status).toBe(200);
    const [la, lb] = await Promise.all([level(a, 1500, 300), level(b, 1500, 300)]);
    expect(la).toBeGreaterThan(-30);
    expect(lb).toBeLessThan(-60);
  }, 20_000);

  it("a recording contains the conference's tones at the right times", async () => {
    const conf = await room();
    await member(conf, null);
    expect((await act(confPath(A, conf), 'record', { action: 'start' })).status).toBe(200);
    await sleep(1000);
    expect((await act(confPath(A, conf), 'play', { media_id: 'tone_stream://%(1000,0,1200)' })).status).toBe(200);
    await sleep(2000);
    const stopped = expectSuccess(await act(confPath(A, conf), 'record', { action: 'stop' }));
    await sleep(500);
    const list = expectSuccess(await api('GET', `${confPath(A, conf)}/recordings`, undefined, master.token));
    const rec = list.find((r: { name: string }) => r.name === stopped.recording);
    expect(rec.duration_ms).toBeGreaterThan(2500);
    const download = await fetch(`${server.url}${confPath(A, conf)}/recordings/${rec.name}`, { headers: { 'x-auth-token': master.token } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('audio/wav');
    const { rate, samples } = readWavBytes(Buffer.from(await download.arrayBuffer()));
    const at = (a: number, b: number) => samples.subarray(Math.round(a * rate), Math.round(b * rate));
    expect(goertzelDb(at(0.2, 0.8), 1200, rate), 'silence before the play').toBeLessThan(-60);
    expect(goertzelDb(at(1.3, 1.8), 1200, rate), 'the tone while it played').toBeGreaterThan(-25);
    expect(goertzelDb(at(2.4, 2.9), 1200, rate), 'silence after it').toBeLessThan(-60);
  }, 20_000);

  it('when the last marked participant leaves, those flagged to leave with it go too', async () => {
    const conf = await room();
    const marked = await member(conf, null, { marked: true });
    const follower = await member(conf, null, { leave_when_last_marked_leave: true });
    const stayer = await member(conf, null);
    expect((await act(partPath(A, conf, marked.id), 'kick')).status).toBe(200);
    await sleep(500);
    const ids = expectSuccess(await api('GET', partPath(A, conf), undefined, master.token)).map((p: { participant_id: number }) => p.participant_id);
    expect(ids).toEqual([stayer.id]);
    expect(ids).not.toContain(follower.id);
  }, 20_000);

  it('enforces the organizer rules with their codes', async () => {
    const conf = await room();
    const organizer = await member(conf, 1046, { moderator: true });
    const alice = await member(conf, null);
    const bob = await member(conf, 784);
    expect((await act(partPath(A, conf, alice.id), 'mute', { as_participant: alice.id })).status, 'mute me').toBe(200);
    expect(expectError(await act(partPath(A, conf, bob.id), 'mute', { as_participant: alice.id }), 403, ['as_participant']).as_participant.NotOrganizer.message).toMatch(/organizer/);
    expect(Object.keys(expectError(await act(partPath(A, conf, organizer.id), 'kick', { as_participant: organizer.id + 100 }), 403).as_participant)).toEqual(['NotAMember']);
    const other = await member(conf, null, { moderator: true });
    expect(Object.keys(expectError(await act(partPath(A, conf, other.id), 'kick', { as_participant: organizer.id }), 403).as_participant)).toEqual(['CannotKickOrganizer']);
    expect(Object.keys(expectError(await act(partPath(A, conf, 999), 'mute', { as_participant: organizer.id }), 404).as_participant)).toEqual(['ParticipantNotFound']);
    const all = expectSuccess(await act(partPath(A, conf), 'mute', { as_participant: organizer.id }));
    expect(all.affected.sort()).toEqual([alice.id, bob.id, other.id].sort());
    expect(await level(alice, 784), 'mute all but me: bob is silent').toBeLessThan(-60);
    expect(await level(alice, 1046, 0), 'the organizer is still heard').toBeGreaterThan(-30);
    expect(expectSuccess(await act(confPath(A, conf), 'reset', { as_participant: organizer.id })).affected).toHaveLength(4);
    expect((await act(confPath(A, conf), 'close', { as_participant: organizer.id })).status).toBe(200);
    await sleep(300);
    expect(expectSuccess(await api('GET', partPath(A, conf), undefined, master.token))).toEqual([]);
  }, 20_000);

  it('a sendonly re-offer puts the participant on hold with hold music; a REST mute plays the muted sound', async () => {
    const conf = await room();
    const a = await member(conf, 523);
    const b = await member(conf, null);
    await sleep(600);
    const held = expectSuccess(await act(partPath(A, conf, a.id), 'reoffer', { sdp: a.client.offer.replace('a=sendrecv', 'a=sendonly') }));
    expect(held.held).toBe(true);
    expect(held.sdp).toMatch(/a=recvonly/);
    expect(await level(b, 523), 'nobody hears the held participant').toBeLessThan(-60);
    const from = mark(b);
    expect((await act(partPath(A, conf, b.id), 'mute')).status).toBe(200);
    await sleep(1800);
    expect(looksLikeSpeech(heardSince(b, from)), '"you are now muted", spoken').toBe(true);
  }, 20_000);
});
