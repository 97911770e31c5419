// Conference behaviour from the references, over real UDP against the real server process:
// each participant is an RTP client that sends a tone and decodes what roomtone sends it.
import { describe, expect, it } from 'vitest';
import { goertzelDb, sleep } from '../helpers/audio.js';
import { A, act, api, createConference, expectSuccess, master, partPath, useApiServer } from '../helpers/apiSession.js';
import { closeMembersAfterEach, heardSince, mark, member, RATE, type Member } from '../helpers/rtpMembers.js';

useApiServer('30600-30699');

const MOH = 350; // the default hold music is 350 + 440 Hz
const ENTRY = 880;
closeMembersAfterEach();

describe('conference behaviour (real RTP clients, real server)', () => {
  it('plays the entry tone to the existing participants when someone joins', async () => {
    const conf = (await createConference({ member: { join_muted: false } })).id;
    const first = await member(conf, null);
    await sleep(600);
    const before = mark(first);
    await member(conf, null);
    await sleep(700);
    const after = heardSince(first, before);
    expect(goertzelDb(after, ENTRY, RATE), 'entry tone after the join').toBeGreaterThan(-40);
    expect(goertzelDb(first.client.decoded().subarray(0, before), ENTRY, RATE), 'no entry tone before').toBeLessThan(-60);
  }, 20_000);

  it('with wait_for_moderator, members hear hold music and not each other until a moderator joins', async () => {
    const conf = (await createConference({ wait_for_moderator: true, member: { join_muted: false } })).id;
    const m1 = await member(conf, 523);
    const m2 = await member(conf, 784);
    await sleep(1200);
    let from = mark(m1);
    await sleep(800);
    let heard = heardSince(m1, from);
    expect(goertzelDb(heard, MOH, RATE), 'hold music while waiting').toBeGreaterThan(-40);
    expect(goertzelDb(heard, 784, RATE), 'the other member is not heard while waiting').toBeLessThan(-60);
    expect(goertzelDb(heardSince(m2, mark(m2) - RATE / 2), 523, RATE)).toBeLessThan(-60);

    await member(conf, null, { moderator: true });
    await sleep(800);
    from = mark(m1);
    await sleep(800);
    heard = heardSince(m1, from);
    expect(goertzelDb(heard, 784, RATE), 'members hear each other once the moderator is in').toBeGreaterThan(-30);
    expect(goertzelDb(heard, MOH, RATE), 'and the hold music stopped').toBeLessThan(-50);
  }, 30_000);

  it('a coach is heard by the coached participant only; the coach hears everyone', async () => {
    const conf = (await createConference({ member: { join_muted: false } })).id;
    const coached = await member(conf, null);
    const other = await member(conf, 523);
    const coach = await member(conf, 784, { coach: coached.id });
    await sleep(1500);
    const window = (m: Member) => heardSince(m, mark(m) - RATE);
    expect(goertzelDb(window(coached), 784, RATE), 'the coached participant hears the coach').toBeGreaterThan(-30);
    expect(goertzelDb(window(coached), 523, RATE)).toBeGreaterThan(-30);
    expect(goertzelDb(window(other), 784, RATE), 'another participant does not').toBeLessThan(-60);
    expect(goertzelDb(window(coach), 523, RATE), 'the coach hears everyone').toBeGreaterThan(-30);
    const ro = expectSuccess(await api('GET', partPath(A, conf, coach.id), undefined, master.token));
    expect(ro.coaching).toBe(coached.id);
  }, 20_000);

  it('hold: the held participant hears hold music and nobody hears it', async () => {
    const conf = (await createConference({ member: { join_muted: false } })).id;
    const a = await member(conf, 523);
    const b = await member(conf, 784);
    await sleep(1000);
    expect((await act(partPath(A, conf, b.id), 'hold')).status).toBe(200);
    await sleep(600);
    const fromA = mark(a);
    const fromB = mark(b);
    await sleep(800);
    expect(goertzelDb(heardSince(a, fromA), 784, RATE), 'nobody hears the held participant').toBeLessThan(-60);
    expect(goertzelDb(heardSince(b, fromB), MOH, RATE), 'it hears hold music').toBeGreaterThan(-40);
    expect(goertzelDb(heardSince(b, fromB), 523, RATE), 'and not the conference').toBeLessThan(-60);
    expect((await act(partPath(A, conf, b.id), 'unhold')).status).toBe(200);
    await sleep(600);
    const back = mark(a);
    await sleep(800);
    expect(goertzelDb(heardSince(a, back), 784, RATE), 'heard again after unhold').toBeGreaterThan(-30);
  }, 20_000);

  it('end_conference_on_exit: when that participant leaves, everyone is removed', async () => {
    const conf = (await createConference({ member: { join_muted: false } })).id;
    const host = await member(conf, 523, { end_conference_on_exit: true });
    const guest = await member(conf, null);
    await member(conf, 784);
    await sleep(800);
    expect(goertzelDb(heardSince(guest, mark(guest) - RATE / 2), 523, RATE), 'the host is heard').toBeGreaterThan(-30);
    expect((await act(partPath(A, conf, host.id), 'kick')).status).toBe(200);
    await sleep(500);
    const list = expectSuccess(await api('GET', partPath(A, conf), undefined, master.token));
    expect(list).toEqual([]);
    const after = guest.client.received.length;
    await sleep(500);
    expect(guest.client.received.length, 'the conference stopped sending to the guest').toBe(after);
  }, 20_000);
});
