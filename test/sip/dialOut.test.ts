// Dial-out against the real server: Kazoo's `dial` action calls SIPp as the callee. The callee
// gets an INVITE with the requested From and X- headers, answers, and the leg joins (dial-ringing,
// dial-answered, add-member on the websocket); `timeout` sends CANCEL; a 486 is dial-failed with
// 486; endpoints that cannot be called are 400 naming `endpoints`; a dial to a conference that
// does not exist creates it ad hoc.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../helpers/audio.js';
import { A, act, api, confPath, createConference, expectError, expectSuccess, master, partPath, server, useApiServer } from '../helpers/apiSession.js';
import { waitFor, WsClient, type Json } from '../helpers/serverProcess.js';
import { requireTool } from '../helpers/tools.js';
import { sipp } from './sipp.js';

const SIP_PORT = 35130;
const CALLEE = 35131;
useApiServer('31300-31329', { ROOMTONE_SIP_PORT: String(SIP_PORT) });

let ws: WsClient;
beforeAll(async () => {
  requireTool('sipp');
  ws = await WsClient.connect(server.url);
});
afterAll(() => ws?.close());

const callees: { stop(): void }[] = [];
afterEach(() => callees.splice(0).forEach((c) => c.stop()));

/** A SIPp callee on CALLEE, given a moment to bind before it is called (stopped after each test). */
async function callee(scenario: string, mediaPort: number) {
  const run = sipp({ scenario, port: CALLEE, mediaPort, timeoutSeconds: 25 });
  callees.push(run);
  await sleep(400);
  return run;
}

async function watched(doc: Json = {}): Promise<string> {
  const conf = (await createConference({ play_entry_tone: false, ...doc })).id as string;
  expect((await ws.subscribe(master.token, A, `conference.event.${conf}.*`)).status).toBe('success');
  return conf;
}

describe('SIP dial-out (dial)', () => {
  it('calls a SIP URI with the requested From and X- headers; the answered leg is a member; a kick sends BYE', async () => {
    const conf = await watched();
    const uas = await callee('uas-answer.xml', 35140);
    const reply = expectSuccess(
      await act(confPath(A, conf), 'dial', {
        endpoints: [`sip:callee@127.0.0.1:${CALLEE}`],
        caller_id_name: 'Conference XYZ',
        caller_id_number: '5551212',
        outbound_call_id: 'leg-answer',
        custom_application_vars: { foo: 'bar' },
      }),
    );
    expect(reply.endpoint_responses).toEqual([{ endpoint: `sip:callee@127.0.0.1:${CALLEE}`, call_id: 'leg-answer', status: 'dialing' }]);
    await ws.waitEvent('dial-ringing', 'leg-answer', 8000);
    const answered = await ws.waitEvent('dial-answered', 'leg-answer', 8000);
    expect(answered.data).toMatchObject({ status: 200 });
    const added = await ws.waitEvent('add-member', 'leg-answer', 8000);
    const names = ws.events.filter((e) => e.data?.call_id === 'leg-answer').map((e) => e.name);
    expect(names.indexOf('add-member')).toBeGreaterThan(names.indexOf('dial-answered'));
    const listed = expectSuccess(await api('GET', partPath(A, conf), undefined, master.token)) as Json[];
    const leg = listed.find((p) => p.call_id === 'leg-answer');
    expect(leg, JSON.stringify(listed)).toBeTruthy();
    expect(added.data).toBeTruthy();
    expectSuccess(await act(partPath(A, conf, leg!.participant_id), 'kick'));
    const { code, output } = await uas.done;
    expect(code, output).toBe(0); // SIPp matched From and X-Foo, got the ACK and our BYE
  }, 40_000);

  it('timeout: an unanswered call is cancelled (CANCEL, 487 acknowledged) and reported dial-failed', async () => {
    const conf = await watched();
    const uas = await callee('uas-ring-cancel.xml', 35142);
    expectSuccess(await act(confPath(A, conf), 'dial', { endpoints: [`sip:ringer@127.0.0.1:${CALLEE}`], outbound_call_id: 'leg-timeout', timeout: 2 }));
    await ws.waitEvent('dial-ringing', 'leg-timeout', 8000);
    const failed = await ws.waitEvent('dial-failed', 'leg-timeout', 8000);
    expect(failed.data).toMatchObject({ status: 487 });
    const { code, output } = await uas.done;
    expect(code, output).toBe(0);
    expect(ws.events.some((e) => e.name === 'add-member' && e.data?.call_id === 'leg-timeout')).toBe(false);
  }, 40_000);

  it('a 486 is dial-failed with 486 and its reason; a dial to a conference that does not exist creates it ad hoc', async () => {
    const dynamic = `dyn-${Date.now()}`;
    expect((await ws.subscribe(master.token, A, `conference.event.${dynamic}.*`)).status).toBe('success');
    const uas = await callee('uas-busy.xml', 35144);
    expectSuccess(await act(confPath(A, dynamic), 'dial', { endpoints: [`sip:busy@127.0.0.1:${CALLEE}`], outbound_call_id: 'leg-busy', play_entry_tone: false }));
    const failed = await ws.waitEvent('dial-failed', 'leg-busy', 8000);
    expect(failed.data).toMatchObject({ status: 486, reason: 'Busy Here' });
    const { code, output } = await uas.done;
    expect(code, output).toBe(0);
    // Nobody answered: the ad-hoc conference ends with its only leg.
    await waitFor('the ad-hoc conference gone', async () => (await api('GET', confPath(A, dynamic), undefined, master.token)).status === 404, 8000);
  }, 40_000);

  it('endpoints that cannot be called are 400 naming endpoints: a device id, a network outside --sip-dial-allow, a number without a proxy, a system port', async () => {
    const conf = await watched();
    for (const endpoint of ['3f1c8a0e7b9d4e2f8a6b5c4d3e2f1a0b', 'sip:someone@10.9.8.7', '+15551234567', 'sip:ssh@127.0.0.1:22']) {
      expectError(await act(confPath(A, conf), 'dial', { endpoints: [endpoint] }), 400, ['endpoints']);
    }
    expectError(await act(confPath(A, conf), 'dial', { endpoints: [] }), 400, ['endpoints']);
  });
});
