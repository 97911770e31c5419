// The HTTP API of the real server process: participants (real SDP offers, no media) and the
// conference lifecycle around them. Nothing is mocked.
import { describe, expect, it } from 'vitest';
import { ffmpegOffer } from '../helpers/ffmpeg.js';
import { waitFor, type Json } from '../helpers/serverProcess.js';
import { A, act, api, confPath, createConference, expectError, expectSuccess, join, master, participant, partPath, useApiServer } from '../helpers/apiSession.js';

useApiServer('30075-30124');

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
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(port).toBeLessThanOrEqual(30149);
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
      expect(Math.abs(p.join_time - (Date.now() / 1000 + 62167219200))).toBeLessThan(60); // Kazoo's Gregorian seconds
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

  it('pins are enforced: a join without a PIN to a pinned conference is collected by DTMF, not admitted; pin_checked skips it', async () => {
    const doc = await createConference({ name: 'pinned', member: { pins: ['1111'] }, moderator: { pins: ['9999'] } });
    const asMember = await join(doc.id);
    const asModerator = await join(doc.id, { moderator: true });
    // Both are connected (hearing the PIN prompt) but neither is a member of the conference.
    const listed = expectSuccess(await api('GET', partPath(A, doc.id), undefined, master.token)) as Json[];
    expect(listed.map((p) => p.participant_id)).not.toContain(asMember.participant_id);
    expect(listed.map((p) => p.participant_id)).not.toContain(asModerator.participant_id);
    expect(expectSuccess(await api('GET', confPath(A, doc.id), undefined, master.token))._read_only).toMatchObject({ members: 0, admins: 0 });
    // An IVR that checked the PIN itself says so; the right PIN joins in its role.
    const checked = await join(doc.id, { pin_checked: true });
    const mod = await join(doc.id, { pin: '9999' });
    expect((await participant(doc.id, checked.participant_id)).is_moderator).toBe(false);
    expect((await participant(doc.id, mod.participant_id)).is_moderator).toBe(true);
    // Only the moderator role has pins: a plain join is a member at once, a moderator claim is collected.
    const modOnly = await createConference({ name: 'mod-pinned', moderator: { pins: ['4242'] } });
    const plain = await join(modOnly.id);
    const claim = await join(modOnly.id, { moderator: true });
    expect((await participant(modOnly.id, plain.participant_id)).is_moderator).toBe(false);
    const modOnlyListed = expectSuccess(await api('GET', partPath(A, modOnly.id), undefined, master.token)) as Json[];
    expect(modOnlyListed.map((p) => p.participant_id)).not.toContain(claim.participant_id);
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
    expectSuccess(await act(partPath(A, modOnly.id), 'kick'));
  });

  it("reset is XiVO's: members who joined muted are unmuted, the deaf hear again", async () => {
    const doc = await createConference({ name: 'reset' }); // members join muted
    const a = await join(doc.id);
    const b = await join(doc.id);
    expectSuccess(await act(partPath(A, doc.id, b.participant_id), 'deaf'));
    expect((await participant(doc.id, a.participant_id)).speak).toBe(false);
    expectSuccess(await act(confPath(A, doc.id), 'reset'));
    for (const p of [a, b]) expect(await participant(doc.id, p.participant_id)).toMatchObject({ speak: true, hear: true });
    expectSuccess(await act(partPath(A, doc.id), 'kick'));
  });

  it("play takes seed 001's body shape too: {action: play, data: {data: {media_id}}}", async () => {
    const doc = await createConference({ name: 'play-shape' });
    await join(doc.id);
    const r = await api('PUT', confPath(A, doc.id), { action: 'play', data: { data: { media_id: 'tone_stream://%(200,0,440)' } } }, master.token);
    expect(expectSuccess(r)).toBe('playing');
    // A spoken prompt plays by name, one at a time (sequences are ours: cached on disk, bounded).
    expect(expectSuccess(await act(confPath(A, doc.id), 'play', { media_id: 'prompt://welcome' }))).toBe('playing');
    expectError(await act(confPath(A, doc.id), 'play', { media_id: 'prompt://welcome,locked' }), 400, ['media_id']);
    expectError(await act(confPath(A, doc.id), 'play', { media_id: 'prompt://no_such_prompt' }), 400);
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
