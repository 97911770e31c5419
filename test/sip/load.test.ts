// Issue 18's acceptance load: SIPp calls one conference 50 times at 10 calls/s, each call
// sending the RTP of a pcap (a PCMU tone written here, test/helpers/pcap.ts) for as long as all
// 50 overlap. Every call is answered, all 50 are participants and in the conference's
// `_read_only` at once, each is gone after its BYE, and afterwards the server holds no dialog,
// no transaction, no RTP port pair and no socket or other descriptor more than before the calls
// (GET /metrics, and /proc/PID/fd with each socket's kind from /proc/net).
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, samples } from '../helpers/metricsText.js';
import { writeTonePcap } from '../helpers/pcap.js';
import { requireTool } from '../helpers/tools.js';
import { logLines, startServer, waitFor, type Json, type ServerProcess } from '../helpers/serverProcess.js';

const SIP_PORT = 35110;
const SIPP_PORT = 35111;
const SIPP_MEDIA_PORT = 35112; // SIPp binds it (and +2); every call's RTP leaves from it, and our mix comes back to it
const CALLS = 50;
const RATE = 10; // calls per second
const PCAP_SECONDS = 8; // shorter than the scenario's 10 s hold: the capture has ended before the BYE
const PACKETS_PER_CALL = (PCAP_SECONDS * 1000) / 20;
const SCENARIO = join(dirname(fileURLToPath(import.meta.url)), 'scenarios', 'uac-pcap.xml');
/**
 * Our own HTTP client's keep-alive connections to the server are TCP sockets of the server's
 * too; how many of them are open at a given moment is the client's business (undici opens one
 * per concurrent request and closes idle ones after 4 s), not a leak. They are allowed this much.
 */
const HTTP_KEEPALIVE_SLACK = 2;

let server: ServerProcess;
let token: string;
let A: string;
let work: string;
/** SIPp while it runs: stopped by afterAll if the test gives up on it first. */
let sipp: ChildProcess | undefined;

beforeAll(async () => {
  requireTool('sipp');
  server = await startServer({ rtpPorts: '32000-32199', env: { ROOMTONE_SIP_PORT: String(SIP_PORT) } });
  ({ token, accountId: A } = await server.login(server.masterApiKey!));
  // SIPp looks for the capture next to its scenario: both go into a temp dir, where SIPp also runs.
  work = mkdtempSync(join(tmpdir(), 'roomtone-sip-load-'));
  copyFileSync(SCENARIO, join(work, 'uac-pcap.xml'));
  writeTonePcap(join(work, 'tone.pcap'), { seconds: PCAP_SECONDS });
}, 30_000);
afterAll(async () => {
  if (sipp && sipp.exitCode === null && sipp.signalCode === null) sipp.kill('SIGKILL');
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface FdCensus {
  total: number;
  udp: number;
  tcpListening: number;
  tcpConnected: number;
  /** Sockets in neither table (unix sockets and the like). */
  otherSockets: number;
  /** Everything but sockets: files, pipes, eventfds, epoll instances. */
  notSockets: number;
  /** The targets of the descriptors that are not sockets, for a failure message. */
  kinds: Record<string, number>;
}

/** Socket inodes of a /proc/net table, with whether each is a listening TCP socket (state 0A). */
function socketTable(file: string): Map<string, boolean> {
  const table = new Map<string, boolean>();
  if (!existsSync(file)) return table;
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9) table.set(f[9], f[3] === '0A');
  }
  return table;
}

/** What the process holds open, by kind. */
function fdCensus(pid: number): FdCensus {
  const udp = new Map([...socketTable('/proc/net/udp'), ...socketTable('/proc/net/udp6')]);
  const tcp = new Map([...socketTable('/proc/net/tcp'), ...socketTable('/proc/net/tcp6')]);
  const c: FdCensus = { total: 0, udp: 0, tcpListening: 0, tcpConnected: 0, otherSockets: 0, notSockets: 0, kinds: {} };
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed while we looked
    }
    c.total++;
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode === undefined) {
      c.notSockets++;
      const kind = target.replace(/\[\d+\]$/, '').replace(/^\/tmp\/[^/]+\//, 'DATA/');
      c.kinds[kind] = (c.kinds[kind] ?? 0) + 1;
    } else if (udp.has(inode)) c.udp++;
    else if (tcp.has(inode)) {
      if (tcp.get(inode)) c.tcpListening++;
      else c.tcpConnected++;
    } else c.otherSockets++;
  }
  return c;
}

/** SIPp's run of the scenario; resolves with its exit code and the tail of its screen. */
function sippLoad(number: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const args = [
      '-sf', join(work, 'uac-pcap.xml'), `127.0.0.1:${SIP_PORT}`, '-s', number,
      '-r', String(RATE), '-m', String(CALLS), '-l', String(CALLS),
      '-i', '127.0.0.1', '-p', String(SIPP_PORT), '-mp', String(SIPP_MEDIA_PORT),
      '-nostdin', '-timeout', '45s', '-timeout_error', '-trace_err', '-error_file', join(work, 'errors.log'),
    ];
    const child = (sipp = spawn('sipp', args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] }));
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      const errors = existsSync(join(work, 'errors.log')) ? readFileSync(join(work, 'errors.log'), 'utf8').slice(-3000) : '';
      resolve({ code, output: output.slice(-3000) + (errors ? `\n--- SIPp errors ---\n${errors}` : '') });
    });
  });
}

describe('SIP load: 50 concurrent calls with RTP from a pcap into one conference', () => {
  it('all answered, all listed in _read_only, all gone after their BYE; no dialog, transaction, RTP port or descriptor left', async () => {
    const pid = server.child.pid!;
    const created = await server.api('PUT', `/v2/accounts/${A}/conferences`, { data: { name: 'sip load', conference_numbers: ['5100'] } }, token);
    expect(created.status, created.text).toBe(201);
    const conf = created.body.data.id as string;
    const confPath = `/v2/accounts/${A}/conferences/${conf}`;
    const metrics = async () => (await server.api('GET', '/metrics')).text;

    const m0 = await metrics();
    expect(metric(m0, 'roomtone_sip_dialogs')).toBe(0);
    expect(metric(m0, 'roomtone_rtp_port_pairs', '{state="in_use"}')).toBe(0);
    const before = fdCensus(pid);

    const started = Date.now();
    const run = sippLoad('5100');
    let sippDone = false;
    void run.then(() => (sippDone = true));

    // All 50 at once: the 50th call starts ~4.9 s in, the first ends ~10 s in.
    const all = await waitFor(`${CALLS} SIP callers in the conference at once`, async () => {
      if (sippDone) throw new Error(`SIPp ended before ${CALLS} calls overlapped:\n${(await run).output}`);
      const r = await server.api('GET', `${confPath}/participants`, undefined, token);
      return (r.body.data as Json[]).length === CALLS && (r.body.data as Json[]);
    }, 15_000, 200);
    const overlapAt = Date.now() - started;
    const ro = (await server.api('GET', confPath, undefined, token)).body.data._read_only as Json;
    const during = await metrics();
    const duringFds = fdCensus(pid);
    expect(ro.members).toBe(CALLS);
    expect(ro.participants).toHaveLength(CALLS);
    const callIds = new Set((ro.participants as Json[]).map((p) => p.call_id as string));
    expect(callIds.size).toBe(CALLS);
    expect([...callIds].sort()).toEqual(all.map((p) => p.call_id as string).sort());
    for (const p of ro.participants as Json[]) expect(p.caller_id_number).toMatch(/^load\d+$/);
    expect(metric(during, 'roomtone_sip_dialogs')).toBe(CALLS);
    expect(metric(during, 'roomtone_rtp_port_pairs', '{state="in_use"}')).toBe(CALLS);
    // Each participant holds its RTP and RTCP sockets (SIPp's offer has no rtcp-mux).
    expect(duringFds.udp - before.udp).toBe(2 * CALLS);

    const { code, output } = await run;
    expect(code, output).toBe(0); // SIPp: every call answered 200, its BYE answered 200, nothing unexpected
    const sippSeconds = (Date.now() - started) / 1000;

    // Everything is given back: bounded, since the last BYE's leave is asynchronous.
    const settled = await waitFor('no dialog, transaction, port pair in use or participant left', async () => {
      const t = await metrics();
      const left = (await server.api('GET', `${confPath}/participants`, undefined, token)).body.data as Json[];
      const done = metric(t, 'roomtone_sip_dialogs') === 0 && metric(t, 'roomtone_sip_transactions') === 0 &&
        metric(t, 'roomtone_rtp_port_pairs', '{state="in_use"}') === 0 && left.length === 0;
      return done && t;
    }, 15_000, 250);
    const after = await waitFor('the descriptors back to what they were before the calls', () => {
      const c = fdCensus(pid);
      return c.udp === before.udp && c.notSockets === before.notSockets && c.otherSockets === before.otherSockets &&
        c.tcpListening === before.tcpListening && c.total <= before.total + HTTP_KEEPALIVE_SLACK && c;
    }, 15_000, 250).catch((err: Error) => {
      throw new Error(`${err.message}\nbefore ${JSON.stringify(before)}\nnow    ${JSON.stringify(fdCensus(pid))}`);
    });

    // What the door counted over the run: 50 INVITEs, ACKs and BYEs; 100 Trying and 200 to each
    // INVITE and BYE (more only if SIPp retransmitted); nothing refused or dropped.
    const responses = samples(settled, 'roomtone_sip_responses_total', 'code');
    const dropped = samples(settled, 'roomtone_sip_dropped_total', 'reason');
    expect(Object.keys(responses).filter((c) => !['100', '200'].includes(c)), JSON.stringify(responses)).toEqual([]);
    expect(responses['200']).toBeGreaterThanOrEqual(2 * CALLS);
    expect(dropped).toEqual({});
    expect(metric(settled, 'roomtone_sip_messages_total', '{kind="request"}')).toBeGreaterThanOrEqual(3 * CALLS);
    // The audio arrived: SIPp played the whole capture in every call (some slack for the kernel).
    const packetsIn = metric(settled, 'roomtone_packets_total', '{direction="in"}') - metric(m0, 'roomtone_packets_total', '{direction="in"}');
    expect(packetsIn).toBeGreaterThanOrEqual(0.95 * CALLS * PACKETS_PER_CALL);
    // Released pairs rest COOLING_MS (5 s) before reuse and count as cooling meanwhile.
    const pairs = samples(settled, 'roomtone_rtp_port_pairs', 'state');
    expect(pairs.in_use).toBe(0);
    expect(pairs.cooling).toBeLessThanOrEqual(CALLS);
    expect(pairs.cooling + pairs.free).toBe(100);

    // The server logs at warn here: whatever it said during the run, for the record.
    const warnings = logLines(server.stdout()).map((l) => String(l.msg));
    console.log(
      `sip load: ${CALLS} calls overlapped ${(overlapAt / 1000).toFixed(1)} s after SIPp started; SIPp done in ${sippSeconds.toFixed(1)} s; ` +
        `RTP packets in ${packetsIn} of ${CALLS * PACKETS_PER_CALL} sent; responses ${JSON.stringify(responses)}; ` +
        `port pairs after ${JSON.stringify(pairs)}; server warnings ${JSON.stringify(warnings.slice(0, 10))}; descriptors before ${JSON.stringify(before)}, with ${CALLS} calls ${JSON.stringify(duringFds)}, after ${JSON.stringify(after)}`,
    );
  }, 60_000);
});
