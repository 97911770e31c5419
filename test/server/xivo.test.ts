// XiVO/Wazo fidelity (seed 002) over the real server: a websocket subscriber to
// xivo.conference.{number} gets Join, Update (talking) and Leave in the seed's shapes, with isMe
// relative to the participant it is; a refused command also arrives as CONFERENCECOMMANDERROR;
// the rooms listing has getConferenceRooms' shape.
import { afterEach, describe, expect, it } from 'vitest';
import { A, act, api, createConference, expectSuccess, master, partPath, server, useApiServer } from '../helpers/apiSession.js';
import { closeMembersAfterEach, member } from '../helpers/rtpMembers.js';
import { WsClient, type Json } from '../helpers/serverProcess.js';

useApiServer('31880-31899');
closeMembersAfterEach();
const sockets: WsClient[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
});

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
/** Seed 002's example messages: every key of theirs, with their type. */
const PARTICIPANT_EVENT: Json = {
  eventType: 'Update', uniqueId: '1519658665.8', conferenceNumber: '4001', index: 1, callerIdName: 'James Bond', callerIdNum: '1002',
  since: 0, isTalking: true, role: 'Organizer', isMuted: false, isMe: false, isDeaf: false,
};
const CONFERENCE_EVENT: Json = { eventType: 'Join', uniqueId: '1519658665.8', conferenceNumber: '4001', conferenceName: 'conference_support', participants: [], since: 0 };
function expectShape(message: Json, example: Json): void {
  for (const [k, v] of Object.entries(example)) {
    expect(message, `has ${k}`).toHaveProperty(k);
    expect(typeOf(message[k]), `${k}: ${JSON.stringify(message[k])}`).toBe(typeOf(v));
  }
}

describe('XiVO events', () => {
  it('Join, Update (talking) and Leave in the seed shapes; isMe for the subscriber; CONFERENCECOMMANDERROR', async () => {
    const conf = (await createConference({ name: 'conference_support', conference_numbers: ['4001'], member: { join_muted: false }, play_entry_tone: false })).id;
    const me = await member(conf, null, { caller_id_name: 'James Bond', caller_id_number: '1002', custom_channel_vars: { username: 'jbond' } });
    const ws = await WsClient.connect(server.url);
    sockets.push(ws);
    const reply = await ws.request({ action: 'subscribe', auth_token: master.token, data: { account_id: A, binding: 'xivo.conference.4001', as_participant: me.id } });
    expect(reply.status).toBe('success');
    const xivo = (type: string, pred: (m: Json) => boolean = () => true) => ws.waitFor(type, (m) => m.msgType === type && pred(m.ctiMessage), 8000);

    const other = await member(conf, 659, { caller_id_name: 'Felix', caller_id_number: '1003' }, { seconds: 6 });
    const join = (await xivo('CONFERENCEPARTICIPANTEVENT', (c) => c.eventType === 'Join' && c.index === other.id)).ctiMessage;
    expectShape(join, PARTICIPANT_EVENT);
    expect(join).toMatchObject({ conferenceNumber: '4001', conferenceName: 'conference_support', callerIdName: 'Felix', callerIdNum: '1003', role: 'User', isMe: false, uniqueId: other.callId });

    const talking = (await xivo('CONFERENCEPARTICIPANTEVENT', (c) => c.eventType === 'Update' && c.index === other.id && c.isTalking === true)).ctiMessage;
    expectShape(talking, PARTICIPANT_EVENT);

    expectSuccess(await act(partPath(A, conf, other.id), 'kick'));
    const leave = (await xivo('CONFERENCEPARTICIPANTEVENT', (c) => c.eventType === 'Leave' && c.index === other.id)).ctiMessage;
    expect(leave.isMe).toBe(false);

    // A command refused by the organizer rules: the reply, and XiVO's error event.
    const refused = await ws.request({ action: 'command', auth_token: master.token, data: { account_id: A, conference_id: conf, participant_id: 999, command: 'mute', data: { as_participant: me.id } } });
    expect(refused.status).toBe('error');
    expect((await xivo('CONFERENCECOMMANDERROR')).ctiMessage).toEqual({ error: 'ParticipantNotFound' });

    // My own leave: CONFERENCEEVENT with the room's participants.
    expectSuccess(await act(partPath(A, conf, me.id), 'kick'));
    const mine = (await xivo('CONFERENCEEVENT', (c) => c.eventType === 'Leave')).ctiMessage;
    expectShape(mine, CONFERENCE_EVENT);
    expect(mine).toMatchObject({ conferenceNumber: '4001', uniqueId: me.callId });
    const myLeave = (await xivo('CONFERENCEPARTICIPANTEVENT', (c) => c.eventType === 'Leave' && c.index === me.id)).ctiMessage;
    expect(myLeave.isMe).toBe(true);
  }, 30_000);

  it("lists rooms in getConferenceRooms' shape", async () => {
    const conf = (await createConference({ name: 'public', conference_numbers: ['4000'], member: { join_muted: false } })).id;
    await createConference({ name: 'locked-room', conference_numbers: ['4002'], member: { pins: ['1234'] } });
    const m = await member(conf, null, { caller_id_name: 'James Bond', caller_id_number: '1002' });
    const rooms = expectSuccess(await api('GET', `/v2/accounts/${A}/conference_rooms`, undefined, master.token)) as Json[];
    const pub = rooms.find((r) => r.number === '4000')!;
    expect(pub).toMatchObject({ name: 'public', pinRequired: false, members: [{ joinOrder: 1, muted: false, name: 'James Bond', number: '1002' }] });
    expect(pub.startTime).toBeGreaterThan(Date.now() - 60_000);
    expect(rooms.find((r) => r.number === '4002')).toMatchObject({ pinRequired: true, startTime: 0, members: [] });
    expectSuccess(await act(partPath(A, conf, m.id), 'kick'));
  }, 20_000);
});
