import { spawnSync } from 'node:child_process';
import { installLine, TOOLS } from '../setup/ensureTools.js';

/** Fails (never skips) when a real client is missing, naming the command that installs it. */
export function requireTool(name: keyof typeof TOOLS): void {
  const t = TOOLS[name];
  if (spawnSync(t.check[0], t.check.slice(1), { stdio: 'ignore' }).status !== 0) {
    throw new Error(`${name} is required for this test; install it with: sudo ${installLine([name])}`);
  }
}
