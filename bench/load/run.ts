// npm run bench:load: an end-to-end load run against the real server (see options.ts for the
// flags). Phases: encode the audio, start (or attach to) the server, create the conferences,
// join every participant over REST (or, with --sip, by SIPp's calls: sipJoins.ts) while all
// joined ones already send, warm up 5 s, measure D seconds, collect the server's figures, stop
// everything (with --sip: kick everyone, so the server's BYEs end SIPp's calls), write the report.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../../src/util/projectRoot.js';
import { apiClient, logLines, randomApiKey, startServer, type ApiClient, type ServerProcess } from '../../test/helpers/serverProcess.js';
import { answeredLevelId, Generator, PTIME_MS, sdpOffer } from './Generator.js';
import { parseOptions, UsageError, USAGE, type LoadOptions } from './options.js';
import { finishProfiles, monotonicUs, profileArgs } from './profiling.js';
import { gitCommit, printReport, writeReport, type LoadReport } from './report.js';
import { buildPayloads } from './signals.js';
import { freeUdpPort, SipJoins } from './sipJoins.js';
import { LevelStreamClient } from './levelStream.js';
import * as stats from './serverStats.js';

/** After the joins: their garbage and the grown heaps are collected in the first seconds after. */
const WARMUP_MS = 5000;
/**
 * The generator stands in for phones on other machines, which never wait for the server's CPU.
 * Sharing the cores, it asks for a higher priority (--generator-nice; it needs root or
 * CAP_SYS_NICE), so that a late send shows a busy server's effect on the network, not a
 * generator queued behind it; the server then runs on what the generator leaves. Without the
 * privilege it runs at 0, and the report says so.
 */
function raiseOwnPriority(nice: number): number {
  try {
    setPriority(nice);
    return nice;
  } catch {
    return 0;
  }
}
const JOIN_CONCURRENCY = 8;
const JOIN_TIMEOUT_MS = 180_000;
/** --sip: how long SIPp may take to end its calls once everyone is kicked. */
const SIP_HANGUP_TIMEOUT_MS = 30_000;
/** Our sockets, plus what a Node process holds anyway (stdio, HTTP keep-alive, the event loop). */
const FD_SLACK = 64;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let opts: LoadOptions;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`bench:load: ${err.message}\n\n${USAGE}`);
  process.exit(2);
}
const N = opts.participants;

// File descriptors: we hold N sockets, and a server we start inherits our limit and holds N more.
// Node raises its own soft limit to the hard one at start-up, so the hard limit is what counts.
// Nothing is raised here; the message says how.
const need = N + FD_SLACK;
const limit = stats.openFileLimit('self');
if (limit.soft < need) {
  console.error(
    `bench:load: ${N} participants need about ${need} file descriptors, but the open-file limit is ${limit.soft} (hard ${limit.hard}).\n` +
      (limit.hard >= need
        ? `Raise it for this shell and run again:  ulimit -n ${need}`
        : `Raise the hard limit (as root: ulimit -Hn ${need} && ulimit -n ${need}; permanently: limits.conf or systemd LimitNOFILE), or run fewer participants.`),
  );
  process.exit(2);
}

const log = (s: string) => process.stderr.write(s + '\n');
log(`bench:load: encoding the audio (quiet participants: ${opts.quiet})...`);
const payloads = buildPayloads(opts.quiet);

// Typed by assertion: it is assigned inside main(), which control-flow narrowing cannot see.
let server = null as ServerProcess | null;
let serverKilled = false;
const gen = new Generator(N);
/** --sip: SIPp's calls and the temp dir of its files. */
let sip = null as SipJoins | null;
let sipDir: string | null = null;
const cleanup = async () => {
  gen.stop();
  sip?.kill();
  if (sipDir) rmSync(sipDir, { recursive: true, force: true });
  if (server) {
    // A profiled server also serialises its profiles on the way out; a SIGKILL would lose them.
    serverKilled = (await server.stop(opts.profile === null ? 10_000 : 30_000)).killed;
    rmSync(server.dataDir, { recursive: true, force: true }); // our temp dir
  }
  await gen.close();
};
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

try {
  await main();
} catch (err) {
  console.error(`bench:load failed: ${(err as Error).message}`);
  if (server) console.error(server.diagnostics());
  await cleanup();
  process.exit(1);
}

async function main(): Promise<void> {
  let client: ApiClient;
  let apiKey: string;
  let pid: number | null;
  if (opts.url === null) {
    apiKey = randomApiKey();
    if (opts.sip) opts.sip.port = await freeUdpPort();
    log(`bench:load: starting the server (${opts.workers} media workers, RTP ports ${opts.rtpPorts}${opts.sip ? `, SIP on UDP 127.0.0.1:${opts.sip.port}` : ''})...`);
    server = await startServer({ rtpPorts: opts.rtpPorts, masterApiKey: apiKey, env: {
      ROOMTONE_WORKERS: String(opts.workers),
      // --sip: UDP only (SIPp calls over UDP), and a new-call limit per source well above its rate.
      ...(opts.sip
        ? { ROOMTONE_SIP_PORT: String(opts.sip.port), ROOMTONE_SIP_TRANSPORTS: 'udp', ROOMTONE_SIP_INVITES_PER_SECOND: String(Math.max(100, 4 * opts.sip.rate)) }
        : { ROOMTONE_SIP_PORT: '0' }),
      // A load run joins hundreds of participants into one conference with one token at once.
      ROOMTONE_JOINS_PER_CONFERENCE: '10000',
      ROOMTONE_REQUESTS_PER_TOKEN: '100000',
      ROOMTONE_QUOTA_PARTICIPANTS: '1000000',
    }, nodeArgs: opts.profile === null ? [] : profileArgs(opts.profile) });
    client = server;
    pid = server.child.pid ?? null;
  } else {
    apiKey = opts.apiKey!;
    client = apiClient(opts.url);
    pid = opts.pid ?? stats.pidListeningOn(Number(new URL(opts.url).port));
    if (pid === null) log('bench:load: cannot find the server process by its port (give --pid): CPU and memory will be n/a');
    else if (stats.openFileLimit(pid).soft < need) throw new Error(`the server (pid ${pid}) has an open-file limit of ${stats.openFileLimit(pid).soft}; ${N} participants need about ${need}`);
  }
  // After the server started: it would inherit the priority.
  const generatorNice = raiseOwnPriority(opts.generatorNice);
  const rssBefore = pid === null ? null : stats.processMemory(pid).rssKiB;
  const serverCpu = () => (pid === null ? NaN : stats.processCpuSeconds(pid));

  const { token, accountId } = await client.login(apiKey);
  const confIds: string[] = [];
  for (let c = 0; c < opts.conferences; c++) {
    const body = { data: { name: `load ${opts.tag} ${c + 1}`, member: { join_muted: false } } };
    const r = await client.api('PUT', `/v2/accounts/${accountId}/conferences`, body, token);
    if (r.status !== 201) throw new Error(`creating conference ${c + 1} failed: ${r.status} ${r.text}`);
    confIds.push(r.body.data.id as string);
  }

  // All sockets first: if the machine runs out of descriptors, we fail before loading the server.
  const sockets: Awaited<ReturnType<Generator['open']>>[] = [];
  for (let i = 0; i < N; i++) {
    try {
      sockets.push(await gen.open(i));
    } catch (err) {
      throw new Error(`opening UDP socket ${i + 1} of ${N} failed (${(err as Error).message}); check \`ulimit -n\``);
    }
  }

  // The progress line and the 1 s receive windows share one interval (sending has its own timer).
  let joined = 0;
  let [lastSent, lastReceived, lastCpu, lastAt] = [0, 0, serverCpu(), performance.now()];
  const [cpuAtStart, t0] = [lastCpu, lastAt];
  let measuredWindows = 0;
  let onMeasured: (() => void) | null = null;
  const tick = () => {
    gen.roll();
    const [cpu, now] = [serverCpu(), performance.now()];
    const perS = (v: number) => (v / ((now - lastAt) / 1000)).toFixed(0); // the interval is restarted when measuring starts
    log(
      `  t=${((now - t0) / 1000).toFixed(0)}s joined ${joined}/${N}  out ${perS(gen.sent - lastSent)} pkt/s  in ${perS(gen.received - lastReceived)} pkt/s` +
        `  server CPU ${((cpu - lastCpu) / ((now - lastAt) / 1000)).toFixed(2)} s/s (${(cpu - cpuAtStart).toFixed(1)} s so far)${onMeasured ? `  measuring ${measuredWindows + 1}/${opts.seconds}` : ''}`,
    );
    [lastSent, lastReceived, lastCpu, lastAt] = [gen.sent, gen.received, cpu, now];
    if (onMeasured && ++measuredWindows === opts.seconds) onMeasured();
  };
  let second = setInterval(tick, 1000);
  gen.start();

  // Participant i joins conference i mod C, as member ⌊i / C⌋ there; the first S members talk.
  const ssrcOf = (i: number) => 0x10000 + i;
  /** Starts participant i's media once its join is answered: to `remotePort` with `payloadType`, levels under `levelId`. */
  const startMedia = async (i: number, remotePort: number, payloadType: number, levelId: number | null) => {
    const conf = i % opts.conferences;
    const member = Math.floor(i / opts.conferences);
    const talker = member < opts.talkers;
    // Talkers start at different points of the one speech loop, so they overlap like a meeting.
    const frames = talker ? payloads.talk : payloads.quiet;
    const start = talker ? (conf * opts.talkers + member) * 197 : i * 7;
    const levels = levelId === null ? null : { id: levelId, values: talker ? payloads.talkLevels : payloads.quietLevels };
    await gen.activate(i, sockets[i].socket, remotePort, payloadType, frames, start, ssrcOf(i), levels);
    joined++;
  };
  const joinOne = async (i: number) => {
    const conf = i % opts.conferences;
    const r = await client.api('POST', `/v2/accounts/${accountId}/conferences/${confIds[conf]}/participants`,
      { data: { sdp: sdpOffer(sockets[i].port, ssrcOf(i), opts.levels), caller_id_name: `load ${i + 1}`, call_id: `load-${opts.tag}-${i + 1}` } }, token);
    if (r.status !== 201) throw new Error(`join of participant ${i + 1} failed: ${r.status} ${r.text}`);
    const answer = r.body.data.sdp as string;
    const m = /^m=audio (\d+) \S+ (\d+)/m.exec(answer);
    const c = /^c=IN IP4 (\S+)/m.exec(answer);
    if (!m || !c || !c[1].startsWith('127.')) throw new Error(`participant ${i + 1}: the answer is not a loopback RTP address:\n${answer}`);
    await startMedia(i, Number(m[1]), Number(m[2]), answeredLevelId(answer));
  };
  const tJoin = performance.now();
  const cpuBeforeJoins = serverCpu();
  let joinTimer: NodeJS.Timeout | undefined;
  const joinTimeout = new Promise<never>((_, reject) => {
    joinTimer = setTimeout(() => reject(new Error(`joins took over ${JOIN_TIMEOUT_MS / 1000} s (${joined}/${N} joined)`)), JOIN_TIMEOUT_MS);
  });
  if (opts.sip === null) {
    let next = 0;
    const joinWorkers = Array.from({ length: Math.min(JOIN_CONCURRENCY, N) }, async () => {
      while (next < N) await joinOne(next++);
    });
    await Promise.race([Promise.all(joinWorkers), joinTimeout]).finally(() => clearTimeout(joinTimer));
  } else {
    sipDir = mkdtempSync(join(tmpdir(), 'roomtone-bench-sip-'));
    sip = new SipJoins({
      serverPort: opts.sip.port!, rate: opts.sip.rate, levels: opts.levels, dir: sipDir,
      timeoutSeconds: Math.ceil((JOIN_TIMEOUT_MS + WARMUP_MS + SIP_HANGUP_TIMEOUT_MS) / 1000) + opts.seconds + 60,
    });
    log(`bench:load: SIPp calls ${N} participants in, ${opts.sip.rate} calls/s`);
    await sip.start(Array.from({ length: N }, (_, i) => ({ i, port: sockets[i].port, ssrc: ssrcOf(i), number: `conference-${confIds[i % opts.conferences]}` })));
    const sipJoins = (async () => {
      while (joined < N) {
        for (const a of sip!.poll()) {
          if (a.i < 0 || a.i >= N) throw new Error(`SIPp logged an answer for participant ${a.i}, not one of ours`);
          await startMedia(a.i, a.remotePort, a.payloadType, a.levelId);
        }
        if (joined < N && sip!.exitCode !== undefined) throw new Error(`SIPp exited (${sip!.exitCode}) with ${joined}/${N} calls answered\n${sip!.diagnostics()}`);
        await sleep(50);
      }
    })();
    await Promise.race([sipJoins, joinTimeout]).finally(() => clearTimeout(joinTimer));
  }
  const joinSeconds = (performance.now() - tJoin) / 1000;
  const joinCpuSeconds = serverCpu() - cpuBeforeJoins;
  log(`bench:load: ${N} joined in ${joinSeconds.toFixed(1)} s (${opts.sip ? 'SIP' : 'REST'}); warming up ${WARMUP_MS / 1000} s`);
  const levelStream = opts.levelStream ? await LevelStreamClient.open(client.url, token, accountId, confIds) : null;
  // The joins leave tens of MB of garbage; collected here, it cannot fall into the window as a
  // 15 ms scavenge that holds every send (npm run bench:load passes --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(WARMUP_MS);

  // The measured window: D whole 1 s windows, with the interval restarted at its start.
  const metrics0 = await stats.fetchMetrics(client.url);
  const health0 = await stats.fetchHealth(client.url);
  clearInterval(second);
  const measured = new Promise<void>((r) => (onMeasured = r));
  gen.beginMeasurement();
  const w0 = { t: performance.now(), mono: monotonicUs(), cpu: serverCpu(), busy: stats.machineBusyCpuSeconds(), own: process.cpuUsage(), sent: gen.sent };
  levelStream?.mark();
  second = setInterval(tick, 1000);
  await measured;
  const levelFrames = levelStream?.mark();
  levelStream?.close();
  const w1 = { t: performance.now(), mono: monotonicUs(), cpu: serverCpu(), busy: stats.machineBusyCpuSeconds(), own: process.cpuUsage(w0.own), sent: gen.sent };
  const receive = gen.endMeasurement();
  const wall = (w1.t - w0.t) / 1000;
  const health = await stats.fetchHealth(client.url);
  const metrics1 = await stats.fetchMetrics(client.url);
  const mem = pid === null ? null : stats.processMemory(pid);
  clearInterval(second);

  const cpuPerS = pid === null ? null : (w1.cpu - w0.cpu) / wall;
  const ownPerS = (w1.own.user + w1.own.system) / 1e6 / wall;
  const late = gen.lateness;
  const sendLateness = { p50: late.quantile(0.5), p99: late.quantile(0.99), max: late.max, count: late.count };
  const invalidReasons: string[] = [];
  // Behind means a packet left after the next one was due: one packet time. A tighter bound
  // judges the host, not the generator: this shared machine stalls single sends 10-14 ms while
  // the generator's p99 stays near 1 ms.
  if (sendLateness.max >= PTIME_MS) invalidReasons.push(`a send ran ${sendLateness.max.toFixed(1)} ms late (limit: one packet time, ${PTIME_MS} ms)`);
  if (sendLateness.p99 > 5) invalidReasons.push(`send lateness p99 ${sendLateness.p99.toFixed(2)} ms (limit 5 ms)`);
  const other = (w1.busy - w0.busy) / wall - (cpuPerS ?? 0) - ownPerS;
  const warnings: string[] = [];
  if (other > 0.25) warnings.push(`other processes used ${other.toFixed(2)} CPU-s/s during the window: the figures may be disturbed`);
  if (opts.url === null && opts.workers >= cpus().length) warnings.push(`the server's ${opts.workers} media workers share ${cpus().length} cores with the generator`);

  const logWarnings: Record<string, number> = {};
  if (server) for (const l of logLines(server.stdout())) if ((l.level as number) >= 40) logWarnings[String(l.msg)] = (logWarnings[String(l.msg)] ?? 0) + 1;
  // Worst media thread over the window; an idle one (no ticks) has nothing to say.
  const hosts = stats.hostWindows(health0, health);
  const ticking = hosts.filter((h) => h.window.ticks > 0);
  const worst = (k: 'p50' | 'p99' | 'max') => (ticking.length === 0 ? 0 : Math.max(...ticking.map((h) => h.window[k])));
  const report: LoadReport = {
    tag: opts.tag,
    date: new Date().toISOString(),
    commit: gitCommit(projectRoot()),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    config: {
      participants: N, talkers: opts.talkers, conferences: opts.conferences, seconds: opts.seconds, quiet: opts.quiet, levels: opts.levels,
      workers: opts.url === null ? opts.workers : null, url: client.url, startedServer: opts.url === null, profileDir: opts.profile,
      generatorNice,
      joins: opts.sip === null ? 'rest' : 'sip',
      ...(opts.sip && { sip: { callsPerSecond: opts.sip.rate, port: opts.sip.port!, sippExitCode: null } }),
      ...(levelFrames !== undefined && { levelStream: { framesInWindow: levelFrames } }),
    },
    valid: invalidReasons.length === 0,
    invalidReasons,
    warnings,
    timing: {
      joinSeconds, warmupSeconds: WARMUP_MS / 1000, measuredSeconds: wall,
      // The server's CPU from the first join to the last answer, media of those already joined included.
      joinServerCpuSeconds: pid === null ? null : joinCpuSeconds,
      joinServerCpuMsPerParticipant: pid === null ? null : (joinCpuSeconds * 1000) / N,
    },
    signal: { talkActiveShare: payloads.talkActiveShare, talkBytes: payloads.talkBytes, quietBytes: payloads.quietBytes, quietPacketsPerSecond: payloads.quietPacketsPerSecond },
    server: {
      pid,
      cpuSecondsPerSecond: cpuPerS,
      cpuMsPerParticipantPerSecond: cpuPerS === null ? null : (cpuPerS * 1000) / N,
      rssBeforeJoinsMiB: rssBefore === null ? null : rssBefore / 1024,
      peakRssMiB: mem === null ? null : mem.peakRssKiB / 1024,
      peakRssPerParticipantKiB: mem === null ? null : mem.peakRssKiB / N,
      addedRssPerParticipantKiB: mem === null || rssBefore === null ? null : (mem.peakRssKiB - rssBefore) / N,
      hosts,
      latenessMs: { p50: worst('p50'), p99: worst('p99'), max: worst('max') },
      skippedTicks: health.reduce((n, h) => n + h.skippedTicks, 0) - health0.reduce((n, h) => n + h.skippedTicks, 0),
      metrics: stats.metricsDelta(metrics0, metrics1, wall),
      logWarnings,
    },
    receive,
    generator: {
      cpuSecondsPerSecond: ownPerS,
      packetsSentPerSecond: (w1.sent - w0.sent) / wall,
      sendLatenessMs: sendLateness,
      wholeRunLatenessMaxMs: gen.latenessAll.max,
      keptPace: invalidReasons.length === 0,
      socketErrors: gen.socketErrors,
    },
    otherCpuSecondsPerSecond: other,
  };

  // Stop sending first, then the server (or our conferences on someone else's server), then our sockets.
  gen.stop();
  if (sip !== null) {
    // Everyone kicked: the server's BYE ends each call, SIPp answers it and exits 0 when all ended well.
    for (const id of confIds) {
      const r = await client.api('PUT', `/v2/accounts/${accountId}/conferences/${id}/participants`, { data: { action: 'kick' } }, token);
      if (r.status !== 200) log(`bench:load: kicking conference ${id}'s participants failed: ${r.status} ${r.text}`);
    }
    const code = await sip.finish(SIP_HANGUP_TIMEOUT_MS);
    report.config.sip!.sippExitCode = code;
    if (code !== 0) report.warnings.push(`SIPp exited ${code === null ? `not within ${SIP_HANGUP_TIMEOUT_MS / 1000} s (killed)` : `with ${code}`}: not every call ended cleanly`);
    if (code !== 0) log(sip.diagnostics());
  }
  if (opts.url !== null) for (const id of confIds) await client.api('DELETE', `/v2/accounts/${accountId}/conferences/${id}?force=true`, undefined, token);
  await cleanup();
  printReport(report, writeReport(report, projectRoot()));
  if (opts.profile !== null) {
    const problems = finishProfiles(opts.profile, { startUs: w0.mono, endUs: w1.mono }, 1 + opts.workers, serverKilled);
    for (const p of problems) console.log(`  PROFILE PROBLEM: ${p}`);
    console.log(`profiles in ${opts.profile}; summarise: npm run bench:profile -- ${opts.profile}`);
  }
}
