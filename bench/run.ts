// npm run bench: kernel (native vs reference), conference tick, G.711 and resampler.
// Prints a table and writes bench/results/kernel.json. Ratios are computed within one run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { projectRoot } from '../src/util/projectRoot.js';
import { addCodecCases } from './codecs.js';
import { addKernelCases } from './kernel.js';
import { addOpusCases } from './opus.js';
import { addSrtpCases } from './srtp.js';
import { addTickCases } from './tick.js';

const quick = process.argv.includes('--quick');
const bench = new Bench({ time: quick ? 200 : 1500, warmupTime: quick ? 50 : 300 });
const TALKERS = 3;
const kernelCases = addKernelCases(bench, [10, 100, 1000], TALKERS);
const tickCases = addTickCases(bench, [100, 1000], TALKERS);
const codecCases = addCodecCases(bench);
const packetCases: { name: string; ours?: string }[] = [...addOpusCases(bench), ...addSrtpCases(bench)];

bench.addEventListener('cycle', (e) => {
  const task = (e as unknown as { task?: { name: string } }).task;
  if (task) console.error(`  done: ${task.name}`);
});
console.error(`running ${bench.tasks.length} cases${quick ? ' (quick)' : ''}...`);
await bench.run();

const medianUs = (name: string): number => {
  const r = bench.getTask(name)?.result;
  if (!r || !('latency' in r)) throw new Error(`bench case ${name} did not complete`);
  return r.latency.p50 * 1000;
};

const entries: Record<string, unknown>[] = [];
for (const c of kernelCases) {
  entries.push({ impl: c.impl, participants: c.participants, talkers: c.talkers, medianUs: round(medianUs(c.name)) });
}
for (const name of tickCases) entries.push({ case: name, medianUs: round(medianUs(name)) });
for (const c of codecCases) {
  const us = medianUs(c.name);
  entries.push({ case: c.name, medianUs: round(us), nsPerInputSample: round((us * 1000) / c.samples) });
}
for (const { name } of packetCases) entries.push({ case: name, medianUs: round(medianUs(name)) });
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const dir = join(projectRoot(), 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'kernel.json'), JSON.stringify(entries, null, 2) + '\n');
writeFileSync(join(dir, 'machine.json'), JSON.stringify({ ...machine, date: new Date().toISOString() }, null, 2) + '\n');

console.log(`\nmachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, Node ${machine.node}\n`);
console.log('| case | median µs | note |');
console.log('|---|---:|---|');
for (const n of [10, 100, 1000]) {
  const nat = medianUs(`kernel native N=${n} T=${TALKERS}`);
  const ref = medianUs(`kernel reference N=${n} T=${TALKERS}`);
  console.log(`| kernel native N=${n} T=${TALKERS} | ${fmt(nat)} | ${(ref / nat).toFixed(0)}x faster than reference |`);
  console.log(`| kernel reference N=${n} T=${TALKERS} | ${fmt(ref)} | |`);
}
for (const name of tickCases) console.log(`| ${name} | ${fmt(medianUs(name))} | whole tick incl. ports, talk, floor |`);
for (const c of codecCases) {
  const us = medianUs(c.name);
  console.log(`| ${c.name} | ${fmt(us)} | ${((us * 1000) / c.samples).toFixed(2)} ns per input sample |`);
}
for (const { name, ours } of packetCases) {
  const us = medianUs(name);
  const note = ours === undefined ? 'per 20 ms packet' : `per 20 ms packet; ${(us / medianUs(ours)).toFixed(2)}x the time of roomtone's`;
  console.log(`| ${name} | ${fmt(us)} | ${note} |`);
}
console.log(`\nwrote ${join('bench', 'results', 'kernel.json')}`);

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(2);
}
