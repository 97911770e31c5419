// An account's named conference profiles and caller-control groups, over the real server:
// stored through the API, validated, and used by the conferences that name them.
import { describe, expect, it } from 'vitest';
import { tone } from '../helpers/audio.js';
import { A, api, createConference, expectError, expectSuccess, master, partPath, useApiServer } from '../helpers/apiSession.js';
import { closeMembersAfterEach, level, member, RATE } from '../helpers/rtpMembers.js';

useApiServer('31780-31879');
closeMembersAfterEach();

const profiles = `/v2/accounts/${'{A}'}/conference_profiles`;
const at = (path: string) => path.replace('{A}', A);

describe('named conference profiles', () => {
  it('PUT stores a profile by name (201, then 200 on replace), GET/list/DELETE, and bad fields are a 400 naming them', async () => {
    const created = await api('PUT', at(profiles), { data: { name: 'quiet-room', 'energy-level': 500, rate: 16000 } }, master.token);
    expect(expectSuccess(created, 201)).toMatchObject({ name: 'quiet-room', 'energy-level': 500 });
    expectSuccess(await api('PUT', at(profiles), { data: { name: 'quiet-room', 'energy-level': 500, rate: 16000 } }, master.token), 200);
    expect(expectSuccess(await api('GET', `${at(profiles)}/quiet-room`, undefined, master.token))).toMatchObject({ name: 'quiet-room', rate: 16000 });
    expect((expectSuccess(await api('GET', at(profiles), undefined, master.token)) as { name: string }[]).map((p) => p.name)).toContain('quiet-room');
    expectError(await api('PUT', at(profiles), { data: { name: 'bad', 'energy-level': 'loud' } }, master.token), 400, ['energy-level']);
    expectError(await api('PUT', at(profiles), { data: { name: 'no spaces please' } }, master.token), 400, ['name']);
    expectSuccess(await api('PUT', at(profiles), { data: { name: 'gone' } }, master.token), 201);
    expectSuccess(await api('DELETE', `${at(profiles)}/gone`, undefined, master.token));
    expectError(await api('GET', `${at(profiles)}/gone`, undefined, master.token), 404);
  });

  it("a named profile with energy-level 500 gates a quiet talker of a conference that names it (profile or profile_name); without it the talker is heard", async () => {
    expectSuccess(await api('PUT', at(profiles), { data: { name: 'gate-500', 'energy-level': 500 } }, master.token), 201);
    const quiet = tone(523, RATE, 8, 600); // mean |sample| about 380: over the default 100, under 500
    for (const naming of [{ profile: 'gate-500' }, { profile_name: 'gate-500' }]) {
      const conf = (await createConference({ member: { join_muted: false }, play_entry_tone: false, ...naming })).id;
      const listener = await member(conf, null);
      const talker = await member(conf, null);
      void talker.client.sendSignal(quiet).catch(() => {});
      expect(await level(listener, 523, 800), `gated by the named profile (${Object.keys(naming)[0]})`).toBeLessThan(-60);
      const row = (expectSuccess(await api('GET', partPath(A, conf, talker.id), undefined, master.token)) as { energy_level: number });
      expect(row.energy_level).toBe(500);
    }
    const plain = (await createConference({ member: { join_muted: false }, play_entry_tone: false })).id;
    const listener = await member(plain, null);
    const talker = await member(plain, null);
    void talker.client.sendSignal(quiet).catch(() => {});
    expect(await level(listener, 523, 800), 'heard with the default gate').toBeGreaterThan(-40);
  }, 40_000);
});

describe('named caller-control groups', () => {
  it("a group is stored by name, its actions checked against FreeSWITCH's names", async () => {
    const groups = at(`/v2/accounts/{A}/caller_controls`);
    expectSuccess(await api('PUT', groups, { data: { name: 'mute-on-5', controls: { '5': 'mute', '#': 'hangup' } } }, master.token), 201);
    expectError(await api('PUT', groups, { data: { name: 'bad', controls: { '5': 'dance' } } }, master.token), 400);
    expect(expectSuccess(await api('GET', `${groups}/mute-on-5`, undefined, master.token))).toMatchObject({ controls: { '5': 'mute' } });
  });
});
