// The SIP door fuzzed (issue 18): 10,000 mutated SIP messages, made from real INVITE (with SDP),
// ACK, BYE, INFO, OPTIONS, CANCEL, UPDATE and response texts (test/sip/sipMutator.ts), go to the
// real server's UDP listener. The server must not crash; every datagram must be taken by the
// stack (roomtone_sip_messages_total) or dropped with a reason (roomtone_sip_dropped_total); and
// a clean SIPp call made afterwards must work.
//
// Pacing: the datagrams come from one source address, and the door drops more than 500 a second
// from one source (burst 1000) as `flood`. They go in batches of 9 every 20 ms (at most 450/s:
// a batch is never sent early and a late one does not catch up), which also keeps what waits in
// the server socket's receive buffer (212 KiB by default) small even with 58 KB datagrams among
// them. The kernel's drops on that socket (/proc/net/udp) are read before and after, so a
// datagram the kernel dropped is accounted for too rather than silently missing. Flood counting
// has its own short burst from another loopback address (127.0.0.2).
//
// Accounting: the door screens each datagram before the `sip` package sees it; what passes is
// parsed again by the package, which takes anything the screen passed (its own check is weaker),
// so each datagram read is counted exactly once, as taken or as dropped by reason; stray_ack is
// counted after the message was taken and is left out of the sum. The server's own requests
// (a BYE after a kick) are answered only by fuzz messages, within the count: nothing else is sent.
//
// ROOMTONE_FUZZ_SEED=<n> replays a seed (or `random`): a message's kind and mutations depend on
// the seed and its index alone; ROOMTONE_FUZZ_SKIP=a,b leaves mutators out (to look past a known
// failure). A server that dies leaves the messages sent just before in a JSON file in tmpdir.
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, samples } from '../helpers/metricsText.js';
import { requireTool } from '../helpers/tools.js';
import { logLines, startServer, waitFor, type Json, type ServerProcess } from '../helpers/serverProcess.js';
import { SipFuzzer, type FuzzMessage } from './sipMutator.js';
import { sipp } from './sipp.js';

const SIP_PORT = 35120;
const SIPP_PORT = 35125;
const SIPP_MEDIA_PORT = 35126;
const TOTAL = 10_000;
const BATCH = 9;
const BATCH_INTERVAL_MS = 20;
const FLOOD_TOTAL = 1500;
const DEFAULT_SEED = 0x18f022;

const seed = (() => {
  const env = process.env.ROOMTONE_FUZZ_SEED;
  if (env === 'random') return randomBytes(4).readUInt32BE(0);
  return env ? Number(env) >>> 0 : DEFAULT_SEED;
})();
const skip = (process.env.ROOMTONE_FUZZ_SKIP ?? '').split(',').filter(Boolean);

let server: ServerProcess;
let token: string;
let A: string;
const conferences: string[] = [];
let fuzzSocket: Socket;
let mediaSink: Socket;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bind(address: string): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, address, r));
  return s;
}

interface SipFigures {
  request: number;
  response: number;
  dropped: Record<string, number>;
  responses: Record<string, number>;
  dialogs: number;
  transactions: number;
}

/** The SIP figures of GET /metrics. */
async function sipFigures(): Promise<SipFigures> {
  const r = await server.api('GET', '/metrics');
  expect(r.status, r.text).toBe(200);
  const t = r.text;
  const messages = samples(t, 'roomtone_sip_messages_total', 'kind');
  const f: SipFigures = {
    request: messages.request ?? 0,
    response: messages.response ?? 0,
    dropped: samples(t, 'roomtone_sip_dropped_total', 'reason'),
    responses: samples(t, 'roomtone_sip_responses_total', 'code'),
    dialogs: metric(t, 'roomtone_sip_dialogs'),
    transactions: metric(t, 'roomtone_sip_transactions'),
  };
  return f;
}

const delta = (after: Record<string, number>, before: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]).filter(([, v]) => v !== 0));
/** Datagrams taken, plus those dropped by screening (stray_ack is counted after a message was taken, so it is left out). */
const accounted = (f: SipFigures) => f.request + f.response + Object.entries(f.dropped).reduce((s, [reason, n]) => (reason === 'stray_ack' ? s : s + n), 0);

/** What the kernel dropped on the server's SIP socket (receive buffer full), from /proc/net/udp; 0 where that is not readable. */
function kernelDrops(): number {
  const local = `0100007F:${SIP_PORT.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    return readFileSync('/proc/net/udp', 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1] === local)
      .reduce((s, f) => s + Number(f[f.length - 1]), 0);
  } catch {
    return 0;
  }
}

function assertAlive(where: string): void {
  expect(server.child.exitCode, `server exited ${where}\n${server.diagnostics()}`).toBeNull();
  expect(server.child.signalCode, `server killed ${where}\n${server.diagnostics()}`).toBeNull();
}

/** Warnings and errors of the server's log, by message, with a few samples. */
function serverComplaints(): Record<string, { count: number; samples: Json[] }> {
  const out: Record<string, { count: number; samples: Json[] }> = {};
  for (const l of logLines(server.stdout())) {
    if ((l.level ?? 0) < 40) continue;
    const key = String(l.msg);
    const e = (out[key] ??= { count: 0, samples: [] });
    e.count++;
    if (e.samples.length < 3) e.samples.push({ err: l.err, reason: l.reason, method: l.method });
  }
  return out;
}

beforeAll(async () => {
  requireTool('sipp');
  server = await startServer({ rtpPorts: '31500-31549', env: { ROOMTONE_SIP_PORT: String(SIP_PORT) } });
  ({ token, accountId: A } = await server.login(server.masterApiKey!));
  for (const data of [
    { name: 'fuzz-open', conference_numbers: ['4700'] },
    { name: 'fuzz-digest', conference_numbers: ['4701'], bridge_username: 'fuzz', bridge_password: 'secret' },
  ]) {
    const r = await server.api('PUT', `/v2/accounts/${A}/conferences`, { data }, token);
    expect(r.status, r.text).toBe(201);
    conferences.push(r.body.data.id);
  }
  fuzzSocket = await bind('127.0.0.1');
  fuzzSocket.setRecvBufferSize(4 * 1024 * 1024);
  mediaSink = await bind('127.0.0.1');
  mediaSink.on('message', () => {}); // RTP sent to the fuzzed offers' port lands here
}, 30_000);

afterAll(async () => {
  fuzzSocket?.close();
  mediaSink?.close();
  await server?.stop();
});

describe(`SIP door fuzzed (seed ${seed})`, () => {
  it(`${TOTAL} mutated SIP messages: no crash, every datagram taken or counted by reason`, async () => {
    console.log(`[sip fuzz] seed ${seed} (replay: ROOMTONE_FUZZ_SEED=${seed})${skip.length ? `, without ${skip.join(',')}` : ''}`);
    const fuzzer = new SipFuzzer(
      seed,
      { serverPort: SIP_PORT, localAddress: '127.0.0.1', localPort: fuzzSocket.address().port, mediaPort: mediaSink.address().port, openNumber: '4700', authNumber: '4701', unknownNumber: '4799' },
      skip,
    );
    const answered = new Set<string>();
    const codes: Record<string, number> = {};
    const serverRequests: Record<string, number> = {};
    const versions: Record<string, number> = {};
    fuzzSocket.on('message', (data) => {
      fuzzer.observe(data);
      const text = data.toString('latin1');
      const start = text.slice(0, text.indexOf('\r\n'));
      const status = /^SIP\/\d+\.\d+ (\d{3})/.exec(start);
      if (!status) {
        serverRequests[start.split(' ')[0]] = (serverRequests[start.split(' ')[0]] ?? 0) + 1;
        return;
      }
      codes[status[1]] = (codes[status[1]] ?? 0) + 1;
      if (!start.startsWith('SIP/2.0 ')) versions[start.split(' ')[0]] = (versions[start.split(' ')[0]] ?? 0) + 1;
      const key = fuzzer.answerKey(text);
      if (key !== undefined) answered.add(key);
    });

    const before = await sipFigures();
    const drops0 = kernelDrops();
    const recent: FuzzMessage[] = [];
    // The server dies on reading the culprit; its exit is seen a little later, so the last messages before it are kept.
    let sentAtExit: number | undefined;
    void server.exited.then(() => (sentAtExit ??= recent[recent.length - 1]?.index));
    const intact: FuzzMessage[] = [];
    const byBase: Record<string, number> = {};
    const byMutation: Record<string, number> = {};
    let bytes = 0;
    let sent = 0;
    let failed = 0;
    const sends: Promise<void>[] = [];
    // How long the server takes to answer HTTP meanwhile: a datagram that blocks its event loop shows here.
    const healthMs: number[] = [];
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const t0 = performance.now();
        await server.api('GET', '/v2/health').catch(() => undefined);
        healthMs.push(performance.now() - t0);
        await sleep(100);
      }
    })();
    const started = performance.now();
    let due = started;
    for (let i = 0; i < TOTAL; ) {
      for (let k = 0; k < BATCH && i < TOTAL; k++, i++) {
        const m = fuzzer.next();
        byBase[m.base] = (byBase[m.base] ?? 0) + 1;
        for (const name of m.mutations) byMutation[name] = (byMutation[name] ?? 0) + 1;
        if (m.expectsAnswer) intact.push(m);
        recent.push(m);
        if (recent.length > 100) recent.shift();
        bytes += m.data.length;
        sends.push(
          new Promise<void>((resolve) =>
            fuzzSocket.send(m.data, SIP_PORT, '127.0.0.1', (err) => {
              if (err) failed++;
              else sent++;
              resolve();
            }),
          ),
        );
      }
      if (sentAtExit !== undefined) {
        const lastSent = recent.filter((m) => m.index <= sentAtExit!);
        const file = join(tmpdir(), `roomtone-sip-fuzz-${seed}-crash.json`);
        writeFileSync(file, JSON.stringify(lastSent.map((m) => ({ index: m.index, base: m.base, mutations: m.mutations, text: m.data.toString('latin1') })), null, 1));
        const last = lastSent.slice(-12).map((m) => `#${m.index} ${m.base} [${m.mutations.join(', ')}] ${JSON.stringify(m.data.subarray(0, 300).toString('latin1'))}`).join('\n');
        throw new Error(`the server exited by message #${sentAtExit} (seed ${seed}); the last ${lastSent.length} sent before are in ${file}, the last ones:\n${last}\n${server.diagnostics()}`);
      }
      due = Math.max(due + BATCH_INTERVAL_MS, performance.now());
      await sleep(due - performance.now());
    }
    await Promise.all(sends);
    const sendSeconds = (performance.now() - started) / 1000;
    probing = false;
    await probe;

    // Every datagram is taken or dropped once the server has read them all; then answers settle.
    const expected = () => sent - (kernelDrops() - drops0);
    await waitFor('every datagram taken or counted', async () => accounted(await sipFigures()) - accounted(before) >= expected(), 15_000, 200).catch(() => {});
    await sleep(1500);
    assertAlive('after the fuzzing');
    const health = await server.api('GET', '/v2/health');
    expect(health.status, health.text).toBe(200);

    const after = await sipFigures();
    const kernelDropped = kernelDrops() - drops0;
    const taken = after.request + after.response - before.request - before.response;
    const dropped = delta(after.dropped, before.dropped);
    const report = {
      seed,
      sent,
      sendFailures: failed,
      bytes,
      sendSeconds: Number(sendSeconds.toFixed(1)),
      ratePerSecond: Math.round(sent / sendSeconds),
      byBase,
      byMutation,
      taken: { request: after.request - before.request, response: after.response - before.response },
      droppedByReason: dropped,
      kernelDropped,
      accountedFor: accounted(after) - accounted(before),
      answeredRequests: answered.size,
      intactRequests: intact.length,
      intactUnanswered: intact.filter((m) => !answered.has(m.key)).map((m) => `#${m.index} ${m.base}`),
      responsesReceivedByCode: codes,
      responsesNotSip20: versions,
      healthLatencyMs: { max: Math.round(Math.max(...healthMs)), over100: healthMs.filter((t) => t > 100).length, over250: healthMs.filter((t) => t > 250).length, probes: healthMs.length },
      serverResponsesByCode: delta(after.responses, before.responses),
      serverRequestsReceived: serverRequests,
      dialogs: after.dialogs,
      transactions: after.transactions,
      serverComplaints: serverComplaints(),
      serverStderr: server.stderr().slice(-2000),
    };
    console.log('[sip fuzz] report ' + JSON.stringify(report, null, 2));

    expect(failed, 'sends the kernel refused').toBe(0);
    // Each datagram the server's socket received is either taken (messages_total) or dropped by reason.
    expect(taken + Object.entries(dropped).reduce((s, [r, n]) => (r === 'stray_ack' ? s : s + n), 0), JSON.stringify(report)).toBe(sent - kernelDropped);
    // At ≤ 450/s the server reads as fast as they come; the kernel drops only while its event loop is blocked (see healthLatencyMs).
    expect(kernelDropped, `datagrams the kernel dropped: the server stopped reading (event loop blocked; health latency max ${report.healthLatencyMs.max} ms)`).toBe(0);
    expect(dropped.flood ?? 0, 'the pacing stays under the flood limit').toBe(0);
    // A well-formed request (sent unmutated) is always answered.
    expect(report.intactUnanswered, JSON.stringify(report)).toEqual([]);
    expect(server.stderr(), 'nothing on stderr (an uncaught exception, a warning)').toBe('');
  }, 90_000);

  it('more than 500 messages a second from one source: the excess is counted as flood', async () => {
    assertAlive('before the flood');
    const socket = await bind('127.0.0.2');
    try {
      const before = await sipFigures();
      const drops0 = kernelDrops();
      let sent = 0;
      for (let i = 0; i < FLOOD_TOTAL; ) {
        const batch: Promise<void>[] = [];
        for (let k = 0; k < 50 && i < FLOOD_TOTAL; k++, i++) {
          // a response to nothing: taken, and dropped by the stack without an answer
          const text = `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:${SIP_PORT};branch=z9hG4bKflood${i}\r\nFrom: <sip:a@127.0.0.2>;tag=f${i}\r\nTo: <sip:b@127.0.0.1>;tag=t${i}\r\nCall-ID: flood${i}@127.0.0.2\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
          batch.push(
            new Promise<void>((resolve) =>
              socket.send(text, SIP_PORT, '127.0.0.1', (err) => {
                if (!err) sent++;
                resolve();
              }),
            ),
          );
        }
        await Promise.all(batch);
        await sleep(5);
      }
      await waitFor('the burst taken or counted', async () => accounted(await sipFigures()) - accounted(before) >= sent - (kernelDrops() - drops0), 10_000, 100).catch(() => {});
      const after = await sipFigures();
      const kernelDropped = kernelDrops() - drops0;
      const dropped = delta(after.dropped, before.dropped);
      const taken = after.response - before.response + after.request - before.request;
      console.log('[sip fuzz] flood burst ' + JSON.stringify({ sent, taken, dropped, kernelDropped }));
      expect(taken + (dropped.flood ?? 0), JSON.stringify({ sent, taken, dropped, kernelDropped })).toBe(sent - kernelDropped);
      expect(dropped.flood ?? 0).toBeGreaterThan(0);
      expect(taken).toBeGreaterThanOrEqual(1000); // the burst allowance, at least
      assertAlive('after the flood');
    } finally {
      socket.close();
    }
  }, 30_000);

  it('afterwards a clean SIPp call works, and the dialogs gauge returns to 0', async () => {
    assertAlive('before the call');
    // Callers the fuzzing let in (an INVITE that was still good enough) are kicked: their dialogs end with our BYE.
    let kicked = 0;
    for (const conf of conferences) {
      const r = await server.api('GET', `/v2/accounts/${A}/conferences/${conf}/participants`, undefined, token);
      for (const p of (r.body?.data ?? []) as Json[]) {
        const k = await server.api('PUT', `/v2/accounts/${A}/conferences/${conf}/participants/${p.participant_id}`, { data: { action: 'kick' } }, token);
        if (k.status === 200) kicked++;
      }
    }
    const parts = `/v2/accounts/${A}/conferences/${conferences[0]}/participants`;
    await waitFor('the fuzzed callers gone', async () => ((await server.api('GET', parts, undefined, token)).body.data as Json[]).length === 0, 10_000, 100);
    console.log(`[sip fuzz] kicked ${kicked} participants left by fuzzed INVITEs`);

    const call = sipp({ scenario: 'uac', remote: `127.0.0.1:${SIP_PORT}`, port: SIPP_PORT, mediaPort: SIPP_MEDIA_PORT, args: ['-s', '4700', '-d', '3000'] });
    try {
      const listed = await waitFor('the SIPp caller in the conference', async () => {
        const r = await server.api('GET', parts, undefined, token);
        return (r.body.data as Json[]).find((p) => p.caller_id_number === 'sipp');
      }, 10_000, 100);
      expect(listed).toMatchObject({ caller_id_number: 'sipp' });
      const { code, output } = await call.done;
      expect(code, output).toBe(0);
    } finally {
      call.stop();
    }
    const f = await waitFor('the dialogs gauge at 0', async () => {
      const s = await sipFigures();
      return s.dialogs === 0 && s;
    }, 10_000, 200);
    expect(f.dialogs).toBe(0);
    assertAlive('after the call');
    expect((await server.api('GET', '/v2/health')).status).toBe(200);
  }, 60_000);
});
