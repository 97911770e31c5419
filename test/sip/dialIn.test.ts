// Dial-in over SIP against the real server process: SIPp's own uac calls a conference's number
// (INVITE with its SDP offer, 200 with our answer, ACK, BYE) and is a participant while the
// call lasts; OPTIONS is answered; an unknown number is 404; a source outside --sip-allow 403.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/tools.js';
import { startServer, waitFor, type Json, type ServerProcess } from '../helpers/serverProcess.js';

const SIP_PORT = 35060;
const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'scenarios'); // outside the RTP ranges of the tests and the ephemeral range
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

/** One SIP request over UDP from 127.0.0.1 (or `from`), and the first final response's status line. */
async function request(method: string, user: string, from = '127.0.0.1'): Promise<string> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, from, r));
  const port = socket.address().port;
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  const text = [
    `${method} sip:${user}@127.0.0.1:${SIP_PORT} SIP/2.0`,
    `Via: SIP/2.0/UDP ${from}:${port};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: "Test" <sip:tester@${from}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${user}@127.0.0.1>`,
    `Call-ID: ${randomBytes(8).toString('hex')}@${from}`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:tester@${from}:${port}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no final answer to ${method}`)), 5000);
      socket.on('message', (m) => {
        const line = m.toString('utf8').split('\r\n')[0];
        if (/^SIP\/2\.0 1\d\d/.test(line)) return;
        clearTimeout(timer);
        resolve(line);
      });
      socket.send(text, SIP_PORT, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/** One SIPp call to `number`: its built-in uac held for `holdMs`, or a scenario of ours; resolves with SIPp's exit code. */
function sippCall(number: string, holdMs: number, scenario?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const which = scenario ? ['-sf', join(SCENARIOS, scenario)] : ['-sn', 'uac'];
    const args = [...which, `127.0.0.1:${SIP_PORT}`, '-s', number, '-m', '1', '-d', String(holdMs), '-i', '127.0.0.1', '-p', '35070', '-mp', '35080', '-nostdin', '-timeout', '20s', '-timeout_error'];
    const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output: output.slice(-2000) }));
  });
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
      const socket = createSocket('udp4');
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
      const port = socket.address().port;
      const answer = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer')), 5000);
        socket.on('message', (m) => (clearTimeout(timer), resolve(m.toString('utf8').split('\r\n')[0])));
        const text = `OPTIONS sip:roomtone@127.0.0.1:${SIP_PORT + 1} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKx1;rport\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:roomtone@127.0.0.1>\r\nCall-ID: x1@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
        socket.send(text, SIP_PORT + 1, '127.0.0.1');
      });
      socket.close();
      expect(answer).toBe('SIP/2.0 403 Forbidden');
    } finally {
      await restricted.stop();
    }
  }, 30_000);
});
