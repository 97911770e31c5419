// SIPp for the SIP tests: one run of a scenario (ours from test/sip/scenarios, or a built-in
// one), bounded in time, with its exit code and the tail of its output.
import { spawn } from 'node:child_process';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

export interface SippRun {
  /** Resolves when SIPp exits: 0 when every call of the scenario succeeded. */
  done: Promise<{ code: number | null; output: string }>;
  stop(): void;
}

/**
* Runs SIPp: `scenario` is a file in test/sip/scenarios (or an absolute path) or a built-in (`uac`, `uas`); `remote`
 * is host:port for a client, omitted for a server. SIP on 127.0.0.1:`port`, media on `mediaPort`.
 */
export function sipp(o: { scenario: string; remote?: string; port: number; mediaPort: number; args?: string[]; timeoutSeconds?: number }): SippRun {
  const which = o.scenario.endsWith('.xml') ? ['-sf', isAbsolute(o.scenario) ? o.scenario : join(SCENARIOS, o.scenario)] : ['-sn', o.scenario];
  const args = [...which, ...(o.remote ? [o.remote] : []), '-i', '127.0.0.1', '-p', String(o.port), '-mp', String(o.mediaPort), '-m', '1', '-nostdin'];
  args.push('-timeout', `${o.timeoutSeconds ?? 20}s`, '-timeout_error', ...(o.args ?? []));
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr.on('data', (d) => (output = (output + d).slice(-20_000)));
  const done = new Promise<{ code: number | null; output: string }>((resolve) => child.on('close', (code) => resolve({ code, output: output.slice(-3000) })));
  return { done, stop: () => child.kill('SIGKILL') };
}
