// The load run's result: one JSON document under bench/results/ (so runs can be compared across
// commits) and the same figures as a table on stdout.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReceiveSummary } from './Generator.js';
import type { HostReport, MetricsDelta } from './serverStats.js';

export interface LoadReport {
  tag: string;
  date: string;
  commit: string;
  machine: { cpu: string; cores: number; node: string };
  config: {
    participants: number;
    talkers: number;
    conferences: number;
    seconds: number;
    quiet: string;
    levels: boolean;
    workers: number | null;
    url: string;
    startedServer: boolean;
    /** Where the server's CPU profiles went (--profile); they add the profiler's own cost to the CPU figures. */
    profileDir: string | null;
    /** The generator's nice value (the server runs at 0): --generator-nice when it could raise its priority, else 0. */
    generatorNice?: number;
    /** How participants joined: REST (POST …/participants) or SIP calls placed by SIPp (--sip). Older reports: REST. */
    joins?: 'rest' | 'sip';
    /** --sip: SIPp's call rate, the server's SIP port, and SIPp's exit (0: every call answered and ended by our BYE cleanly). */
    sip?: { callsPerSecond: number; port: number; sippExitCode: number | null };
    /** --level-stream: level-stream frames one subscriber got in the measured window (per conference, about 10 a second). */
    levelStream?: { framesInWindow: number };
  };
  /** False when the generator did not keep pace (its figures then understate the load). */
  valid: boolean;
  invalidReasons: string[];
  /** Notes about the run that do not invalidate it but matter when reading it. */
  warnings: string[];
  timing: {
    joinSeconds: number;
    warmupSeconds: number;
    measuredSeconds: number;
    /** Server CPU from the first join to the last answer (the media of those already joined included). Absent in older reports. */
    joinServerCpuSeconds?: number | null;
    joinServerCpuMsPerParticipant?: number | null;
  };
  signal: { talkActiveShare: number; talkBytes: number; quietBytes: number; quietPacketsPerSecond: number };
  server: {
    pid: number | null;
    cpuSecondsPerSecond: number | null;
    cpuMsPerParticipantPerSecond: number | null;
    rssBeforeJoinsMiB: number | null;
    peakRssMiB: number | null;
    peakRssPerParticipantKiB: number | null;
    /** (peak − before joins) / N: what a participant adds. */
    addedRssPerParticipantKiB: number | null;
    hosts: HostReport[];
    /** Worst media thread over the measured window (older reports, without hosts[].window: its last 32768 ticks). */
    latenessMs: { p50: number; p99: number; max: number };
    /** Ticks the media clocks dropped during the measured window (stalls). */
    skippedTicks: number;
    metrics: MetricsDelta | null;
    /** Log lines at warn or above, counted by message (only when this tool started the server). */
    logWarnings: Record<string, number>;
  };
  receive: ReceiveSummary;
  generator: {
    cpuSecondsPerSecond: number;
    packetsSentPerSecond: number;
    sendLatenessMs: { p50: number; p99: number; max: number; count: number };
    wholeRunLatenessMaxMs: number;
    keptPace: boolean;
    socketErrors: number;
  };
  /** Busy CPU of everything else on the machine (other processes), s/s over the window. */
  otherCpuSecondsPerSecond: number;
}

export function writeReport(r: LoadReport, root: string): string {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `load-${r.tag}.json`);
  // Three decimals are more than the run's repeatability; more digits would only be noise.
  const round = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v);
  writeFileSync(file, JSON.stringify(r, round, 2) + '\n');
  return file;
}

const f = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));

export function printReport(r: LoadReport, file: string): void {
  const c = r.config;
  const s = r.server;
  const g = r.generator;
  const rc = r.receive;
  const m = s.metrics;
  const rows: [string, string][] = [
    ['participants / talkers per conf / conferences', `${c.participants} / ${c.talkers} / ${c.conferences} (quiet: ${c.quiet}, RFC 6464 levels ${c.levels ? 'on' : 'off'})`],
    ['server', c.startedServer ? `started here, ${c.workers} media workers, pid ${s.pid}${c.profileDir ? `, profiled to ${c.profileDir}` : ''}` : `${c.url}, pid ${s.pid ?? 'unknown'}`],
    ['joins / warm-up / measured', `${f(r.timing.joinSeconds, 1)} s / ${f(r.timing.warmupSeconds, 1)} s / ${f(r.timing.measuredSeconds, 1)} s`],
    ['joined by', c.joins === 'sip' ? `SIP calls (SIPp, ${c.sip?.callsPerSecond} calls/s, exit ${c.sip?.sippExitCode ?? 'none'})` : 'REST'],
    ['server CPU during joins', `${f(r.timing.joinServerCpuSeconds, 2)} CPU-s, ${f(r.timing.joinServerCpuMsPerParticipant, 1)} ms per participant`],
    ['server CPU', `${f(s.cpuSecondsPerSecond, 3)} CPU-s/s`],
    ['server CPU per participant', `${f(s.cpuMsPerParticipantPerSecond, 3)} ms per participant per second`],
    ['server RSS before joins / peak', `${f(s.rssBeforeJoinsMiB, 1)} MiB / ${f(s.peakRssMiB, 1)} MiB`],
    ['RSS per participant (peak/N, added/N)', `${f(s.peakRssPerParticipantKiB, 0)} KiB, ${f(s.addedRssPerParticipantKiB, 0)} KiB`],
    ['tick lateness p50 / p99 / max', `${f(s.latenessMs.p50)} / ${f(s.latenessMs.p99)} / ${f(s.latenessMs.max)} ms (worst host, measured window), ${s.skippedTicks} ticks skipped`],
    ['server packets in / out (forwarded)', m ? `${f(m.packetsInPerSecond, 0)} / ${f(m.packetsOutPerSecond, 0)} per s (${f(m.forwardedPerSecond ?? 0, 0)} per s sent as received)` : 'n/a'],
    ['server Opus encode / decode', m ? `${f(m.encodeMsPerSecond, 1)} / ${f(m.decodeMsPerSecond, 1)} ms per s; mean tick ${f(m.meanTickMs, 3)} ms` : 'n/a'],
    ['server drops', m ? JSON.stringify(m.drops) : 'n/a'],
    ['receive rate per participant', `mean ${f(rc.meanRate, 2)} packets/s, min window ${f(rc.minWindowRate, 1)}`],
    ['1 s windows below 45 packets/s', `${rc.windowsBelow45} of ${rc.windows} (${rc.windowsEmpty} empty)`],
    ['lost / largest gap / reordered / dup', `${rc.lost} / ${rc.largestGap} / ${rc.reordered} / ${rc.duplicates}`],
    ['received payload', `${f(rc.bytesPerPacket, 1)} bytes per packet`],
    ['generator CPU', `${f(g.cpuSecondsPerSecond, 3)} CPU-s/s, ${f(g.packetsSentPerSecond, 0)} packets/s sent, at nice ${r.config.generatorNice ?? 0} (server 0)`],
    ['send lateness p50 / p99 / max', `${f(g.sendLatenessMs.p50)} / ${f(g.sendLatenessMs.p99)} / ${f(g.sendLatenessMs.max)} ms (whole run incl. joins: max ${f(g.wholeRunLatenessMaxMs)} ms)`],
    ['other processes CPU', `${f(r.otherCpuSecondsPerSecond, 3)} CPU-s/s`],
    ['generator kept pace', g.keptPace ? 'yes' : 'NO'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nload run "${r.tag}" (${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.commit})`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  const logged = Object.entries(s.logWarnings);
  if (logged.length > 0) {
    console.log('  server warnings:');
    for (const [msg, n] of logged.slice(0, 8)) console.log(`    ${n} × ${msg}`);
  }
  for (const w of r.warnings) console.log(`  note: ${w}`);
  if (!r.valid) console.log(`\n  RUN INVALID: ${r.invalidReasons.join('; ')}`);
  console.log(`\nwrote ${file}`);
}

/** The commit measured, "-dirty" when tracked files differ from it (read-only git calls). */
export function gitCommit(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}
