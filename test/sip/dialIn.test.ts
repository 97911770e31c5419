// Dial-in over SIP against the real server process: SIPp's own uac calls a conference's number
// (INVITE with its SDP offer, 200 with our answer, ACK, BYE) and is a participant while the
// call lasts; OPTIONS is answered; an unknown number is 404; a source outside --sip-allow 403.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/tools.js';
import { startServer, waitFor, type Json, type ServerProcess } from '../helpers/serverProcess.js';
import { RawUa, requestText } from './rawSip.js';
import { sipp } from './sipp.js';

const SIP_PORT = 35060;
let server: ServerProcess;
let token: string;
let A: string;

beforeAll(async () => {
  requireTool('sipp');
  server = await startServer({ rtpPorts: '31630-31639', env: { ROOMTONE_SIP_PORT: String(SIP_PORT) } });
  ({ token, accountId: A } = await server.login(server.masterApiKey!));
}, 30_000);
afterAll(async () => {
  await server?.stop();
});

/** One request outside a dialog to the server on `port`, and the final answer's status line. */
async function request(method: string, user: string, port = SIP_PORT): Promise<string> {
  const ua = await RawUa.open(port);
  try {
    ua.send(requestText(ua, method, user));
    const answer = await ua.final(method, 1);
    return `SIP/2.0 ${answer.status} ${answer.reason}`;
  } finally {
    ua.close();
  }
}

/** One SIPp call to `number`: its built-in uac held for `holdMs`, or a scenario of ours; resolves with SIPp's exit code. */
function sippCall(number: string, holdMs: number, scenario = 'uac'): Promise<{ code: number | null; output: string }> {
  return sipp({ scenario, remote: `127.0.0.1:${SIP_PORT}`, port: 35070, mediaPort: 35080, args: ['-s', number, '-d', String(holdMs)] }).done;
}

describe('SIP dial-in', () => {
  it('OPTIONS is answered 200 (trunk keepalives); an unknown number is 404', async () => {
    expect(await request('OPTIONS', 'roomtone')).toBe('SIP/2.0 200 OK');
    expect(await request('INVITE', '0000000')).toMatch(/^SIP\/2\.0 404/);
  });

  it("SIPp's uac calls a conference number: a participant while the call lasts, gone after its BYE", async () => {
    const created = await server.api('PUT', `/v2/accounts/${A}/conferences`, { data: { name: 'dial-in', conference_numbers: ['4100'] } }, token);
    expect(created.status, created.text).toBe(201);
    const conf = created.body.data.id;
    const call = sippCall('4100', 3000);
    const listed = await waitFor('the SIP caller in the conference', async () => {
      const r = await server.api('GET', `/v2/accounts/${A}/conferences/${conf}/participants`, undefined, token);
      return (r.body.data as Json[]).length === 1 && (r.body.data as Json[]);
    }, 8000);
    expect(listed[0]).toMatchObject({ caller_id_number: 'sipp' });
    const { code, output } = await call;
    expect(code, output).toBe(0); // SIPp: every call successful (200 answered, BYE answered 200)
    await waitFor('gone after its BYE', async () => {
      const r = await server.api('GET', `/v2/accounts/${A}/conferences/${conf}/participants`, undefined, token);
      return (r.body.data as Json[]).length === 0;
    });
  }, 40_000);

  it('a re-INVITE with sendonly holds the caller (answered recvonly); a kick sends our BYE, which the caller answers', async () => {
    const created = await server.api('PUT', `/v2/accounts/${A}/conferences`, { data: { name: 'hold', conference_numbers: ['4200'] } }, token);
    const conf = created.body.data.id;
    const call = sippCall('4200', 0, 'hold-then-bye-from-server.xml');
    const parts = `/v2/accounts/${A}/conferences/${conf}/participants`;
    const held = await waitFor('the caller held', async () => {
      const r = await server.api('GET', parts, undefined, token);
      const p = (r.body.data as Json[])[0];
      return p?.held === true && p;
    }, 8000);
    expect(held.caller_id_name).toBe('Held Caller');
    const kicked = await server.api('PUT', `${parts}/${held.participant_id}`, { data: { action: 'kick' } }, token);
    expect(kicked.status, kicked.text).toBe(200);
    const { code, output } = await call;
    expect(code, output).toBe(0); // the scenario received our BYE and answered it
  }, 40_000);

  it('a number reaches one conference: claiming another conference\'s number, in any account, is a 409 naming the field', async () => {
    const first = await server.api('PUT', `/v2/accounts/${A}/conferences`, { data: { name: 'owner', member: { numbers: ['4300'] } } }, token);
    expect(first.status, first.text).toBe(201);
    const clash = await server.api('PUT', `/v2/accounts/${A}/conferences`, { data: { name: 'thief', conference_numbers: ['4300'] } }, token);
    expect(clash.status).toBe(409);
    expect(clash.body.data['conference_numbers'].unique.target).toBe('4300');
    // Another account may not take it either; re-saving the owner keeps its own number.
    const b = await server.api('PUT', '/v2/accounts', { data: { name: 'tenant' } }, token);
    const bToken = (await server.login(b.body.data.api_key)).token;
    expect((await server.api('PUT', `/v2/accounts/${b.body.data.id}/conferences`, { data: { name: 'x', moderator: { numbers: ['4300'] } } }, bToken)).status).toBe(409);
    expect((await server.api('POST', `/v2/accounts/${A}/conferences/${first.body.data.id}`, { data: { name: 'owner', member: { numbers: ['4300'] } } }, token)).status).toBe(200);
  });

  it('a SIP port in use stops the server at start, with a message naming --sip-port (no uncaught socket error)', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((r) => holder.bind(SIP_PORT + 2, '127.0.0.1', r));
    try {
      const attempt = startServer({ rtpPorts: '31690-31699', env: { ROOMTONE_SIP_PORT: String(SIP_PORT + 2) }, startTimeoutMs: 8000 });
      await expect(attempt).rejects.toThrow(/SIP cannot listen on 127\.0\.0\.1:35062 .*--sip-port 0 turns SIP off/s);
    } finally {
      holder.close();
    }
  }, 30_000);

  it('a source outside --sip-allow is refused with 403', async () => {
    const restricted = await startServer({ rtpPorts: '31690-31699', env: { ROOMTONE_SIP_PORT: String(SIP_PORT + 1), ROOMTONE_SIP_ALLOW: '10.0.0.0/8' } });
    try {
      const answer = await request('OPTIONS', 'roomtone', SIP_PORT + 1);
      expect(answer).toBe('SIP/2.0 403 Forbidden');
    } finally {
      await restricted.stop();
    }
  }, 30_000);
});
