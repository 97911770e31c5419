// The websocket API of the real server process (`/v2/websocket`, Kazoo blackhole style):
// subscriptions to `conference.event.{C}.{call}` bindings, events, unsubscribe, auth, and
// commands through the same table as REST.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegOffer } from '../helpers/ffmpeg.js';
import { sleep } from '../helpers/audio.js';
import { startServer, WsClient, type Json, type ServerProcess } from '../helpers/serverProcess.js';

const RTP_PORTS = '30200-30379'; // api.test.ts uses 30000-30199, endToEnd.test.ts 30400-30599; 30380-30399: the lifetime test

let server: ServerProcess;
let token: string;
let A: string;
let B: { id: string; token: string };
const sockets: WsClient[] = [];

beforeAll(async () => {
  server = await startServer({ rtpPorts: RTP_PORTS });
  ({ token, accountId: A } = await server.login(server.masterApiKey!));
  const created = await server.api('PUT', '/v2/accounts', { data: { name: 'tenant-b' } }, token);
  expect(created.status, created.text).toBe(201);
  B = { id: created.body.data.id, token: (await server.login(created.body.data.api_key)).token };
}, 30_000);

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  if (!server) return;
  const { killed } = await server.stop();
  expect(killed, `the server stops on SIGTERM\n${server.diagnostics()}`).toBe(false);
});

async function connect(): Promise<WsClient> {
  const ws = await WsClient.connect(server.url);
  sockets.push(ws);
  return ws;
}

async function conference(doc: Json = {}): Promise<string> {
  const r = await server.api('PUT', `/v2/accounts/${A}/conferences`, { data: { name: 'ws', member: { join_muted: false }, ...doc } }, token);
  expect(r.status, r.text).toBe(201);
  return r.body.data.id;
}

let nextPort = 43000;
async function join(c: string, extra: Json = {}): Promise<Json> {
  const r = await server.api('POST', `/v2/accounts/${A}/conferences/${c}/participants`, { data: { sdp: ffmpegOffer('opus', (nextPort += 2)), ...extra } }, token);
  expect(r.status, r.text).toBe(201);
  return r.body.data;
}

async function rest(path: string, action: string, data?: Json) {
  const r = await server.api('PUT', `/v2/accounts/${A}/conferences/${path}`, { data: { action, ...(data && { data }) } }, token);
  expect(r.status, r.text).toBe(200);
  return r.body.data;
}

const kickAll = (c: string) => rest(`${c}/participants`, 'kick');

function expectSuccessReply(reply: Json): void {
  expect(reply, JSON.stringify(reply)).toMatchObject({ action: 'reply', status: 'success' });
}

/** An event frame as Kazoo's blackhole sends it. */
function expectEventFrame(e: Json, o: { subscribedKey: string; conferenceId: string; callId: string; name: string }): void {
  expect(e).toMatchObject({ action: 'event', subscribed_key: o.subscribedKey, routing_key: `conference.event.${o.conferenceId}.${o.callId}`, name: o.name });
  expect(typeof e.data).toBe('object');
  expect(e.data.event).toBe(o.name);
  expect(e.data.conference_id).toBe(o.conferenceId);
}

describe('subscriptions', () => {
  it('conference.event.{C}.* and conference.event.*.* both get add-member with action, subscribed_key, routing_key, name and data', async () => {
    const c = await conference();
    const other = await conference();
    const one = await connect();
    const all = await connect();
    expectSuccessReply(await one.subscribe(token, A, `conference.event.${c}.*`));
    expectSuccessReply(await all.subscribe(token, A, 'conference.event.*.*'));

    const p = await join(c, { call_id: 'ws-call-1', caller_id_name: 'alice' });
    const e1 = await one.waitEvent('add-member', 'ws-call-1');
    expectEventFrame(e1, { subscribedKey: `conference.event.${c}.*`, conferenceId: c, callId: 'ws-call-1', name: 'add-member' });
    expect(e1.data).toMatchObject({ participant_id: p.participant_id, call_id: 'ws-call-1', caller_id_name: 'alice', speak: true, hear: true });
    const e2 = await all.waitEvent('add-member', 'ws-call-1');
    expectEventFrame(e2, { subscribedKey: 'conference.event.*.*', conferenceId: c, callId: 'ws-call-1', name: 'add-member' });
    expect(e2.data).toEqual(e1.data);

    // Another conference: only the wildcard subscriber hears of it.
    await join(other, { call_id: 'ws-call-2' });
    const e3 = await all.waitEvent('add-member', 'ws-call-2');
    expect(e3.routing_key).toBe(`conference.event.${other}.ws-call-2`);
    await sleep(200);
    expect(one.events.filter((e) => e.data?.conference_id === other)).toEqual([]);
    expect(one.events.every((e) => e.routing_key.startsWith(`conference.event.${c}.`))).toBe(true);
    await kickAll(c);
    await kickAll(other);
  });

  it("the event body has every field of seed 001's example event, each with the example's type; join_time is in Gregorian seconds", async () => {
    // Seed 001's "Example event", verbatim.
    const example: Json = {
      custom_channel_vars: {
        account_id: '9d351ad7ffd6f846313af9eed3bb7b85', authorizing_id: '6507f40b09a61fbb8b025dbad9316eb5', authorizing_type: 'device',
        owner_id: '32d8788da9506b4b1991d5bb86d27b0a', presence_id: '1000@kamailio.kazoo', fetch_id: '56507071-a216-4e0a-a28f-ff3bd9c86ac3',
        bridge_id: '934800819', precedence: 5, realm: 'kamailio.kazoo', username: 'sip1', call_interaction_id: '63635497023-3e247b2e',
      },
      channel_presence_id: '1000@kamailio.kazoo', caller_id_number: 'sip1', caller_id_name: 'sip1', mute_detect: false, video: false,
      energy_level: 20, current_energy: 0, talking: false, speak: true, hear: true, floor: false, participant_id: 20,
      instance_id: 'd5765180-53d5-4104-860e-b352f3f8e6b1', conference_id: '5edbfdd3b825314a71b0a05957392edb', focus: 'freeswitch@freeswitch.kazoo',
      call_id: '934800819', event: 'add-member', node: 'kazoo_apps@jh460', msg_id: 'a6fbbf034b5cd3af', event_name: 'participant_event',
      event_category: 'conference', app_version: '4.0.0', app_name: 'ecallmgr', routing_key: 'participant_event',
    };
    const c = await conference();
    const ws = await connect();
    expectSuccessReply(await ws.subscribe(token, A, `conference.event.${c}.*`));
    const { account_id: _ours, ...ccvs } = example.custom_channel_vars as Json;
    await join(c, { call_id: 'seed-call', caller_id_name: 'sip1', caller_id_number: 'sip1', custom_channel_vars: ccvs });
    const body = (await ws.waitEvent('add-member', 'seed-call')).data as Json;
    const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
    for (const [key, value] of Object.entries(example)) {
      expect(body, `event body has ${key}`).toHaveProperty(key);
      expect(typeOf(body[key]), `${key}: ${JSON.stringify(body[key])}`).toBe(typeOf(value));
    }
    for (const [key, value] of Object.entries(example.custom_channel_vars as Json)) {
      expect(typeOf(body.custom_channel_vars[key]), `custom_channel_vars.${key}`).toBe(typeOf(value));
    }
    // Values: ours where roomtone knows them, the join's where it does not; never the example's.
    expect(body.custom_channel_vars.account_id).toBe(A);
    expect(body.custom_channel_vars.realm).toBe('kamailio.kazoo');
    expect(body.channel_presence_id).toBe('1000@kamailio.kazoo');
    expect(body).toMatchObject({ event: 'add-member', event_name: 'participant_event', event_category: 'conference', routing_key: 'participant_event', app_name: 'roomtone', conference_id: c });
    expect(body.focus).toMatch(/^roomtone@/);
    expect(body.msg_id).toMatch(/^[0-9a-f]{16}$/);
    expect(Math.abs(body.join_time - (Date.now() / 1000 + 62167219200))).toBeLessThan(2);
    // The same instance in _read_only, with the host.
    const ro = (await server.api('GET', `/v2/accounts/${A}/conferences/${c}`, undefined, token)).body.data._read_only;
    expect(ro).toMatchObject({ conference_uuid: body.instance_id, switch_hostname: expect.any(String) });
    await kickAll(c);
  });

  it("the account's publish_participant_event holds back the participant events it does not list", async () => {
    const settings = (list: unknown) => server.api('PATCH', `/v2/accounts/${A}`, { data: { publish_participant_event: list } }, token);
    const set = await settings(['add-member', 'del-member']);
    expect(set.status, set.text).toBe(200);
    expect(set.body.data.publish_participant_event).toEqual(['add-member', 'del-member']);
    try {
      const c = await conference();
      const ws = await connect();
      expectSuccessReply(await ws.subscribe(token, A, `conference.event.${c}.*`));
      const p = await join(c, { call_id: 'filtered' });
      await ws.waitEvent('add-member', 'filtered');
      await rest(`${c}/participants/${p.participant_id}`, 'mute');
      await sleep(300);
      expect(ws.events.filter((e) => e.name === 'mute-member')).toEqual([]);
      expect((await settings(null)).status).toBe(200);
      await rest(`${c}/participants/${p.participant_id}`, 'unmute');
      await ws.waitEvent('unmute-member', 'filtered');
      expect((await settings(['sing'])).status).toBe(400);
      await kickAll(c);
    } finally {
      await settings(null);
    }
  });

  it('conference.event.{C}.{call_id} selects one participant; a call id with dots is percent-encoded in the routing key', async () => {
    const c = await conference();
    const ws = await connect();
    const callId = 'abc.def@host';
    const encoded = 'abc%2Edef@host';
    expectSuccessReply(await ws.subscribe(token, A, `conference.event.${c}.${encoded}`));
    await join(c, { call_id: 'someone-else' });
    const p = await join(c, { call_id: callId });
    const e = await ws.waitEvent('add-member', callId);
    expectEventFrame(e, { subscribedKey: `conference.event.${c}.${encoded}`, conferenceId: c, callId: encoded, name: 'add-member' });
    expect(e.data.participant_id).toBe(p.participant_id);
    await rest(`${c}/participants/${p.participant_id}`, 'mute');
    expect((await ws.waitEvent('mute-member', callId)).data.speak).toBe(false);
    await sleep(200);
    expect(ws.events.filter((x) => x.data?.call_id !== callId)).toEqual([]);
    await kickAll(c);
  });

  it('mute/unmute/deaf/undeaf and kick give their participant events', async () => {
    const c = await conference();
    const ws = await connect();
    expectSuccessReply(await ws.subscribe(token, A, `conference.event.${c}.*`));
    const p = await join(c, { call_id: 'ws-ctl' });
    const path = `${c}/participants/${p.participant_id}`;
    await rest(path, 'mute');
    expect((await ws.waitEvent('mute-member', 'ws-ctl')).data).toMatchObject({ speak: false, participant_id: p.participant_id });
    await rest(path, 'unmute');
    expect((await ws.waitEvent('unmute-member', 'ws-ctl')).data.speak).toBe(true);
    await rest(path, 'deaf');
    expect((await ws.waitEvent('deaf-member', 'ws-ctl')).data.hear).toBe(false);
    await rest(path, 'undeaf');
    expect((await ws.waitEvent('undeaf-member', 'ws-ctl')).data.hear).toBe(true);
    await rest(path, 'kick');
    const del = await ws.waitEvent('del-member', 'ws-ctl');
    expect(del.data.participant_id).toBe(p.participant_id);
    const names = ws.events.map((e) => e.name);
    // Order as they happened.
    const order = ['add-member', 'mute-member', 'unmute-member', 'deaf-member', 'undeaf-member', 'del-member'].map((n) => names.indexOf(n));
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  it('unsubscribe stops the events of that binding only', async () => {
    const c = await conference();
    const ws = await connect();
    const watcher = await connect();
    expectSuccessReply(await ws.subscribe(token, A, `conference.event.${c}.*`));
    expectSuccessReply(await ws.subscribe(token, A, 'conference.event.*.ws-unsub-2'));
    expectSuccessReply(await watcher.subscribe(token, A, `conference.event.${c}.*`));
    const p = await join(c, { call_id: 'ws-unsub' });
    await ws.waitEvent('add-member', 'ws-unsub');

    expectSuccessReply(await ws.unsubscribe(token, A, `conference.event.${c}.*`));
    // Unsubscribing what is not subscribed succeeds too.
    expectSuccessReply(await ws.unsubscribe(token, A, `conference.event.${c}.*`));
    const before = ws.events.length;
    await rest(`${c}/participants/${p.participant_id}`, 'mute');
    await watcher.waitEvent('mute-member', 'ws-unsub');
    await sleep(200);
    expect(ws.events.slice(before)).toEqual([]);
    // The other binding still works.
    await join(c, { call_id: 'ws-unsub-2' });
    const e = await ws.waitEvent('add-member', 'ws-unsub-2');
    expect(e.subscribed_key).toBe('conference.event.*.ws-unsub-2');
    await kickAll(c);
  });

  it('a socket with two matching bindings gets the event once per binding, each with its subscribed_key', async () => {
    const c = await conference();
    const ws = await connect();
    expectSuccessReply(await ws.subscribe(token, A, `conference.event.${c}.*`));
    expectSuccessReply(await ws.subscribe(token, A, 'conference.event.*.*'));
    expectSuccessReply(await ws.subscribe(token, A, 'conference.event.*.*')); // twice: still one subscription
    await join(c, { call_id: 'ws-twice' });
    await ws.waitEvent('add-member', 'ws-twice');
    await sleep(200);
    const keys = ws.events.filter((e) => e.name === 'add-member' && e.data.call_id === 'ws-twice').map((e) => e.subscribed_key).sort();
    expect(keys).toEqual(['conference.event.*.*', `conference.event.${c}.*`].sort());
    await kickAll(c);
  });
});

describe('authorisation', () => {
  it('a bad or missing auth_token gets a 401 reply, and no subscription', async () => {
    const c = await conference();
    const ws = await connect();
    for (const bad of ['not-a-token', undefined, 42]) {
      const reply = await ws.request({ action: 'subscribe', auth_token: bad, data: { account_id: A, binding: `conference.event.${c}.*` } });
      expect(reply).toMatchObject({ action: 'reply', status: 'error', error: '401' });
      expect(typeof reply.message).toBe('string');
    }
    await join(c, { call_id: 'ws-noauth' });
    await sleep(300);
    expect(ws.events).toEqual([]);
    const cmd = await ws.request({ action: 'command', auth_token: 'nope', data: { account_id: A, conference_id: c, command: 'lock' } });
    expect(cmd).toMatchObject({ status: 'error', error: '401' });
    const r = await server.api('GET', `/v2/accounts/${A}/conferences/${c}`, undefined, token);
    expect(r.body.data._read_only.is_locked).toBe(false);
    await kickAll(c);
  });

  it('another account is a 404 reply; an account\'s own wildcard never carries another account\'s events', async () => {
    const c = await conference();
    const ws = await connect();
    const reply = await ws.subscribe(B.token, A, `conference.event.${c}.*`);
    expect(reply).toMatchObject({ status: 'error', error: '404' });
    expectSuccessReply(await ws.subscribe(B.token, B.id, 'conference.event.*.*'));
    const cmd = await ws.request({ action: 'command', auth_token: B.token, data: { account_id: A, conference_id: c, command: 'lock' } });
    expect(cmd).toMatchObject({ status: 'error', error: '404' });
    await join(c, { call_id: 'ws-other-account' });
    await sleep(300);
    expect(ws.events).toEqual([]);
    // The master may watch its child's conferences.
    const master = await connect();
    expectSuccessReply(await master.subscribe(token, B.id, 'conference.event.*.*'));
    const cb = await server.api('PUT', `/v2/accounts/${B.id}/conferences`, { data: { name: 'b-room' } }, B.token);
    await server.api('POST', `/v2/accounts/${B.id}/conferences/${cb.body.data.id}/participants`, { data: { sdp: ffmpegOffer('opus', 43990), call_id: 'b-call' } }, B.token);
    await master.waitEvent('add-member', 'b-call');
    await ws.waitEvent('add-member', 'b-call');
    await server.api('PUT', `/v2/accounts/${B.id}/conferences/${cb.body.data.id}/participants`, { action: 'kick' }, B.token);
    await kickAll(c);
  });

  it('malformed messages get 400 replies and leave the socket open', async () => {
    const ws = await connect();
    expect(await ws.request({ action: 'subscribe', auth_token: token, data: { binding: 'conference.event.*.*' } })).toMatchObject({ error: '400' });
    expect(await ws.request({ action: 'subscribe', auth_token: token, data: { account_id: A, binding: 'call.CHANNEL_CREATE.*' } })).toMatchObject({ error: '400' });
    expect(await ws.request({ action: 'subscribe', auth_token: token, data: { account_id: A, binding: 'conference.event.a*.*' } })).toMatchObject({ error: '400' });
    expect(await ws.request({ action: 'dance', auth_token: token })).toMatchObject({ error: '400' });
    ws.ws.send('this is not json');
    await ws.waitFor('reply to non-JSON', (m) => m.action === 'reply' && m.error === '400' && m.request_id === undefined);
    expect(ws.ws.readyState).toBe(1);
    expectSuccessReply(await ws.subscribe(token, A, 'conference.event.*.*'));
  });
});

describe('commands', () => {
  it('lock over the websocket works (REST shows it, joins are refused) and emits a lock event; unlock too', async () => {
    const c = await conference();
    const ws = await connect();
    expectSuccessReply(await ws.subscribe(token, A, `conference.event.${c}.*`));
    const reply = await ws.request({ action: 'command', auth_token: token, data: { account_id: A, conference_id: c, command: 'lock' } });
    expectSuccessReply(reply);
    const lock = await ws.waitEvent('lock');
    expect(lock).toMatchObject({ action: 'event', name: 'lock', subscribed_key: `conference.event.${c}.*` });
    expect(lock.routing_key).toMatch(new RegExp(`^conference\\.event\\.${c}\\.`));
    expect(lock.data).toMatchObject({ event: 'lock', conference_id: c });
    const got = await server.api('GET', `/v2/accounts/${A}/conferences/${c}`, undefined, token);
    expect(got.body.data._read_only.is_locked).toBe(true);
    const refused = await server.api('POST', `/v2/accounts/${A}/conferences/${c}/participants`, { data: { sdp: ffmpegOffer('opus', 43980) } }, token);
    expect(refused.status).toBe(409);

    expectSuccessReply(await ws.request({ action: 'command', auth_token: token, data: { account_id: A, conference_id: c, command: 'unlock' } }));
    expect((await ws.waitEvent('unlock')).data).toMatchObject({ event: 'unlock', conference_id: c });
    expect((await server.api('GET', `/v2/accounts/${A}/conferences/${c}`, undefined, token)).body.data._read_only.is_locked).toBe(false);
  });

  it('lock of a running conference emits the event too, and a REST lock is seen by websocket subscribers', async () => {
    const c = await conference();
    const ws = await connect();
    expectSuccessReply(await ws.subscribe(token, A, 'conference.event.*.*'));
    await join(c, { call_id: 'ws-lock-live' });
    await ws.waitEvent('add-member', 'ws-lock-live');
    await rest(c, 'lock');
    expect((await ws.waitEvent('lock')).data.conference_id).toBe(c);
    await rest(c, 'unlock');
    await ws.waitEvent('unlock');
    await kickAll(c);
  });

  it('participant commands over the websocket: mute one, mute all but moderators, relate; errors as replies', async () => {
    const c = await conference();
    const ws = await connect();
    expectSuccessReply(await ws.subscribe(token, A, `conference.event.${c}.*`));
    const a = await join(c, { call_id: 'ws-cmd-a' });
    const b = await join(c, { call_id: 'ws-cmd-b' });
    const mod = await join(c, { call_id: 'ws-cmd-mod', moderator: true });
    const command = (command: string, extra: Json = {}) =>
      ws.request({ action: 'command', auth_token: token, data: { account_id: A, conference_id: c, command, ...extra } });

    expectSuccessReply(await command('mute', { participant_id: a.participant_id }));
    expect((await ws.waitEvent('mute-member', 'ws-cmd-a')).data.speak).toBe(false);
    expectSuccessReply(await command('unmute', { participant_id: a.participant_id }));
    await ws.waitEvent('unmute-member', 'ws-cmd-a');

    const all = await command('mute');
    expectSuccessReply(all);
    await ws.waitEvent('mute-member', 'ws-cmd-b');
    await sleep(200);
    expect(ws.events.filter((e) => e.name === 'mute-member' && e.data.call_id === 'ws-cmd-mod')).toEqual([]);
    const state = await server.api('GET', `/v2/accounts/${A}/conferences/${c}/participants/${mod.participant_id}`, undefined, token);
    expect(state.body.data.speak).toBe(true);

    expectSuccessReply(await command('relate', { data: { participant_id: a.participant_id, other_participant: b.participant_id, relationship: 'deaf' } }));
    const related = await server.api('GET', `/v2/accounts/${A}/conferences/${c}/participants/${a.participant_id}`, undefined, token);
    expect(related.body.data.relations).toEqual([expect.objectContaining({ participant_id: b.participant_id, nohear: true })]);

    const unknown = await command('explode');
    expect(unknown).toMatchObject({ status: 'error', error: '400' });
    expect(unknown.message).toMatch(/must be one of: .*mute/); // the allowed commands are listed
    expect(await command('mute', { participant_id: 999 })).toMatchObject({ status: 'error', error: '404' });
    expect(await command('dial', { data: { endpoints: ['sip:x@example.com'] } })).toMatchObject({ status: 'error', error: '501' });
    const missing = await command('relate', { data: { participant_id: a.participant_id } });
    expect(missing).toMatchObject({ status: 'error', error: '400' });
    expect(Object.keys(missing.data).some((k) => k === 'other_participant' || k.endsWith('.other_participant'))).toBe(true);
    expect(await ws.request({ action: 'command', auth_token: token, data: { account_id: A, conference_id: 'f'.repeat(32), command: 'lock' } })).toMatchObject({
      status: 'error',
      error: '404',
    });

    expectSuccessReply(await command('kick'));
    await ws.waitEvent('del-member', 'ws-cmd-mod');
  });
});

describe('lifetime', () => {
  it('the server closes websockets with 1001 on SIGTERM and exits cleanly', async () => {
    const own = await startServer({ rtpPorts: '30380-30399' });
    try {
      const ws = await WsClient.connect(own.url);
      const closed = new Promise<number>((resolve) => ws.ws.once('close', (code) => resolve(code)));
      const stopped = own.stop();
      expect(await closed).toBe(1001);
      expect(await stopped).toMatchObject({ code: 0, killed: false });
    } finally {
      await own.stop();
    }
  });
});
