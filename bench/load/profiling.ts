// `bench:load --profile DIR`: the server runs under V8's sampling profiler, and the measured
// window is recorded beside the profiles so profileReport.ts can leave out start-up, joins and
// shutdown, which would otherwise dilute the steady-state figures.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The measured window on the clock V8 stamps profiles with (CLOCK_MONOTONIC, µs). */
export interface ProfileWindow {
  startUs: number;
  endUs: number;
}

export const WINDOW_FILE = 'window.json';

/** process.hrtime reads the same monotonic clock as V8's profile timestamps (both libuv/V8 TimeTicks on Linux). */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Node flags for the server. Node 20 refuses --cpu-prof in NODE_OPTIONS ("not allowed"), so they
 * go on the command line; worker threads inherit the process's execArgv and profile themselves.
 */
export function profileArgs(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/**
 * Called once the server has exited. V8 writes each thread's profile while that thread shuts
 * down (worker.terminate() and process.exit() both do), so after the exit every file is final;
 * only a SIGKILL leaves them unwritten. Returns the problems found, empty when all is well.
 */
export function finishProfiles(dir: string, window: ProfileWindow, expectedThreads: number, killed: boolean): string[] {
  writeFileSync(join(dir, WINDOW_FILE), JSON.stringify(window) + '\n');
  const problems: string[] = [];
  if (killed) problems.push('the server was killed (SIGKILL) instead of stopping: profiles are missing');
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length < expectedThreads) problems.push(`${files.length} profiles for ${expectedThreads} threads (main + media workers)`);
  for (const f of files) {
    try {
      const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { endTime?: number; samples?: unknown[] };
      if (typeof p.endTime !== 'number' || !Array.isArray(p.samples)) problems.push(`${f} is not a CPU profile`);
      else if (p.endTime < window.endUs) problems.push(`${f} ends before the measured window does`);
    } catch (err) {
      problems.push(`${f} does not parse (${(err as Error).message}): written incompletely?`);
    }
  }
  return problems;
}
