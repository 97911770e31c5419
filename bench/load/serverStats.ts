// What we read about the server from outside, as an operator would: /proc for its CPU time and
// memory (all threads: the media workers are threads of the one process), /proc/stat for what
// else the machine was doing, GET /v2/health for the media clocks and GET /metrics for packet
// and codec counters. Linux only, like the server's deployment target.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { quantileOf, snapshotDelta, type LatenessSnapshot } from '../../src/clock/LatenessHistogram.js';

let ticksPerSecond: number | undefined;

/** USER_HZ: the unit of /proc's CPU times (100 on every common kernel, but ask). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a process, all its threads, in seconds. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces and parentheses: fields are counted after the last ')'.
  // There, index 0 is field 3 (state), so utime (field 14) is index 11 and stime index 12.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / clockTicks();
}

/** Busy CPU seconds of the whole machine (all cores), to see what else ran during the window. */
export function machineBusyCpuSeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + (steal || 0)) / clockTicks();
}

export interface ProcessMemory {
  rssKiB: number;
  /** VmHWM: the peak resident set since the process started. */
  peakRssKiB: number;
}

export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKiB: kib('VmRSS'), peakRssKiB: kib('VmHWM') };
}

/** The "Max open files" limits of a process. */
export function openFileLimit(pid: number | 'self'): { soft: number; hard: number } {
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  const n = (v: string | undefined) => (v === undefined || v === 'unlimited' ? Infinity : Number(v));
  return { soft: n(line?.[1]), hard: n(line?.[2]) };
}

/**
 * The pid of the process listening on a local TCP port, for --url runs without --pid: find the
 * socket's inode in /proc/net/tcp{,6}, then the process holding that inode. Null when not found
 * (another user's process, or a server in another network namespace).
 */
export function pidListeningOn(port: number): number | null {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1].split(':')[1], 16) === port) inodes.add(`socket:[${f[9]}]`);
    }
  }
  if (inodes.size === 0) return null;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return Number(pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

export interface HostClock {
  conferences: number;
  participants: number;
  ticks: number;
  skippedTicks: number;
  stalls: number;
  lateness: { p50: number; p99: number; max: number };
  /** Every tick's lateness since the thread started. */
  latenessSince: LatenessSnapshot;
}

/** A media thread's figures in a report: its tick lateness over the measured window only. */
export type HostReport = Omit<HostClock, 'latenessSince'> & { window: { p50: number; p99: number; max: number; ticks: number } };

/**
 * Each media thread's tick lateness between two /v2/health polls, from its histogram of every
 * tick (the health figures of recent ticks cover a count of ticks, not a time: 13 s at 100 × 10,
 * the joins too at N = 700). A bucket is 0.05 ms wide, so p50 0.05 reads "on time or early".
 */
export function hostWindows(before: HostClock[], after: HostClock[]): HostReport[] {
  return after.map(({ latenessSince, ...h }, i) => {
    const w = before[i] === undefined ? latenessSince : snapshotDelta(before[i].latenessSince, latenessSince);
    return { ...h, window: { p50: quantileOf(w, 0.5), p99: quantileOf(w, 0.99), max: w.max, ticks: w.count } };
  });
}

/** GET /v2/health: one entry per media thread. */
export async function fetchHealth(url: string): Promise<HostClock[]> {
  const res = await fetch(`${url}/v2/health`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`GET /v2/health answered ${res.status}`);
  type Host = { conferences: number; participants: number; scheduler: { ticks: number; skippedTicks: number; stalls: number; lateness: HostClock['lateness']; latenessSince: LatenessSnapshot } };
  const body = (await res.json()) as { data: { hosts: Host[] } };
  return body.data.hosts.map((h) => ({
    conferences: h.conferences,
    participants: h.participants,
    ticks: h.scheduler.ticks,
    skippedTicks: h.scheduler.skippedTicks,
    stalls: h.scheduler.stalls,
    lateness: { p50: h.scheduler.lateness.p50, p99: h.scheduler.lateness.p99, max: h.scheduler.lateness.max },
    latenessSince: h.scheduler.latenessSince,
  }));
}

/** GET /metrics as a map from `name{labels}` to value (only the roomtone_ series we use). */
export async function fetchMetrics(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(roomtone_(?:packets_total|packets_forwarded_total|packets_dropped_total|codec_seconds_total|tick_duration_seconds_(?:sum|count))(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

export interface MetricsDelta {
  packetsInPerSecond: number;
  packetsOutPerSecond: number;
  /** Outgoing packets per second that were a participant's own packet (no encode). */
  forwardedPerSecond: number;
  /** CPU ms per wall second spent in Opus (all media threads). */
  encodeMsPerSecond: number;
  decodeMsPerSecond: number;
  meanTickMs: number;
  drops: Record<string, number>;
}

/** What the counters did between two scrapes `seconds` apart. */
export function metricsDelta(a: Map<string, number>, b: Map<string, number>, seconds: number): MetricsDelta {
  const d = (k: string) => (b.get(k) ?? 0) - (a.get(k) ?? 0);
  const drops: Record<string, number> = {};
  for (const k of b.keys()) {
    const m = /^roomtone_packets_dropped_total\{reason="([^"]+)"\}$/.exec(k);
    if (m && d(k) > 0) drops[m[1]] = d(k);
  }
  const ticks = d('roomtone_tick_duration_seconds_count');
  return {
    packetsInPerSecond: d('roomtone_packets_total{direction="in"}') / seconds,
    packetsOutPerSecond: d('roomtone_packets_total{direction="out"}') / seconds,
    forwardedPerSecond: d('roomtone_packets_forwarded_total') / seconds,
    encodeMsPerSecond: (d('roomtone_codec_seconds_total{operation="encode"}') * 1000) / seconds,
    decodeMsPerSecond: (d('roomtone_codec_seconds_total{operation="decode"}') * 1000) / seconds,
    meanTickMs: ticks === 0 ? 0 : (d('roomtone_tick_duration_seconds_sum') * 1000) / ticks,
    drops,
  };
}
