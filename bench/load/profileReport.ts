// npm run bench:profile -- DIR [--whole]: sums the self time of every .cpuprofile in DIR (one
// per server thread, from bench:load --profile) by part of the media flow, per thread and in
// total, and writes DIR/profile-summary.json. By default only the load run's measured window
// (DIR/window.json) counts, so start-up, joins and shutdown do not blur the steady state.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CATEGORIES, indexProfile, LABELS, type Category, type ProfileNode } from './profileCategories.js';
import { WINDOW_FILE, type ProfileWindow } from './profiling.js';

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface ThreadSummary {
  file: string;
  thread: string;
  wallSeconds: number;
  samples: number;
  /** Self time in ms over the window, idle excluded. */
  ms: Record<Category, number>;
}

const TOP = 10;

const { values, positionals } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { whole: { type: 'boolean' } } });
if (positionals.length !== 1) {
  console.error('usage: npm run bench:profile -- DIR [--whole]   (DIR from bench:load --profile DIR)');
  process.exit(2);
}
const dir = resolve(positionals[0]);
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort() : [];
if (files.length === 0) {
  console.error(`bench:profile: no .cpuprofile files in ${dir}`);
  process.exit(1);
}
const windowFile = join(dir, WINDOW_FILE);
const window: ProfileWindow | null = !values.whole && existsSync(windowFile) ? (JSON.parse(readFileSync(windowFile, 'utf8')) as ProfileWindow) : null;

/** Node names profiles CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread. */
const threadName = (file: string): string => {
  const tid = file.split('.')[4];
  return tid === '0' ? 'main' : `worker ${tid}`;
};

const zero = (): Record<Category, number> => Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
const threads: ThreadSummary[] = [];
/** Self time by function label, per category, over all threads. */
const byFunction = new Map<Category, Map<string, number>>(CATEGORIES.map((c) => [c, new Map()]));

for (const file of files) {
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const index = indexProfile(p.nodes);
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const from = window?.startUs ?? p.startTime;
  const to = window?.endUs ?? p.endTime;
  const selfUs = new Map<number, number>();
  let samples = 0;
  // A sample stands for the time until the next one (as DevTools counts it); the interval varies under load.
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    const next = i + 1 < p.samples.length ? t + p.timeDeltas[i + 1] : p.endTime;
    const us = Math.max(0, Math.min(next, to) - Math.max(t, from));
    if (us === 0 || idle.has(p.samples[i])) continue;
    samples++;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + us);
  }
  const ms = zero();
  for (const [id, us] of selfUs) {
    const c = index.category(id);
    ms[c] += us / 1000;
    const fns = byFunction.get(c)!;
    const label = index.label(id);
    fns.set(label, (fns.get(label) ?? 0) + us / 1000);
  }
  threads.push({ file, thread: threadName(file), wallSeconds: Math.max(0, Math.min(p.endTime, to) - Math.max(p.startTime, from)) / 1e6, samples, ms });
}

// Threads outlive or predate each other by little; the longest stands for the run's wall time.
const wall = Math.max(...threads.map((t) => t.wallSeconds));
const totalMs = zero();
for (const t of threads) for (const c of CATEGORIES) totalMs[c] += t.ms[c];
const sum = (r: Record<Category, number>) => CATEGORIES.reduce((s, c) => s + r[c], 0);
const grand = sum(totalMs);
const top = (c: Category, n: number) =>
  [...byFunction.get(c)!].sort((a, b) => b[1] - a[1]).slice(0, n).map(([fn, ms]) => ({ function: fn, msPerSecond: ms / wall, percent: (100 * ms) / grand }));

const summary = {
  dir,
  scope: window === null ? 'whole profiles' : 'measured window',
  window,
  wallSeconds: wall,
  threads: threads.map((t) => ({
    file: t.file, thread: t.thread, wallSeconds: t.wallSeconds, samples: t.samples,
    msPerSecond: Object.fromEntries(CATEGORIES.map((c) => [c, t.ms[c] / t.wallSeconds])),
    totalMsPerSecond: sum(t.ms) / t.wallSeconds,
  })),
  total: {
    msPerSecond: Object.fromEntries(CATEGORIES.map((c) => [c, totalMs[c] / wall])),
    percent: Object.fromEntries(CATEGORIES.map((c) => [c, (100 * totalMs[c]) / grand])),
    msPerSecondAll: grand / wall,
  },
  topFunctions: Object.fromEntries(CATEGORIES.map((c) => [c, top(c, c === 'other' ? TOP : 5)])),
};
const round = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v);
writeFileSync(join(dir, 'profile-summary.json'), JSON.stringify(summary, round, 2) + '\n');

const col = (s: string, w: number) => s.padStart(w);
const heads = threads.map((t) => t.thread);
const w = Math.max(...CATEGORIES.map((c) => LABELS[c].length), 'total'.length);
console.log(`\nCPU profile of ${dir} (${summary.scope}, ${wall.toFixed(1)} s wall; self time in ms per wall-second, idle excluded)`);
console.log(`  ${'category'.padEnd(w)}  ${heads.map((h) => col(h, 10)).join('')}${col('total', 10)}${col('%', 8)}`);
for (const c of [...CATEGORIES, null]) {
  const cell = (t: ThreadSummary) => col(((c === null ? sum(t.ms) : t.ms[c]) / t.wallSeconds).toFixed(1), 10);
  const all = c === null ? grand : totalMs[c];
  console.log(`  ${(c === null ? 'total' : LABELS[c]).padEnd(w)}  ${threads.map(cell).join('')}${col((all / wall).toFixed(1), 10)}${col(((100 * all) / grand).toFixed(1), 8)}`);
}
console.log(`\n  top ${TOP} in "other" (dist/ lines are the compiled JS, within a few lines of the .ts):`);
for (const f of summary.topFunctions.other) console.log(`    ${f.msPerSecond.toFixed(1).padStart(7)} ms/s ${f.percent.toFixed(1).padStart(5)}%  ${f.function}`);
console.log(`\nwrote ${join(dir, 'profile-summary.json')}`);
