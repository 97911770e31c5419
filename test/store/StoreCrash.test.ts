import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { afterEach, expect, it } from 'vitest';
import { Store } from '../../src/store/Store.js';

// WAL with synchronous=NORMAL must survive a process crash: the child commits through the real
// Store, then dies without close() (no checkpoint), and a fresh open must find everything.

const dir = mkdtempSync(join(tmpdir(), 'roomtone-crash-'));
let store: Store | undefined;
afterEach(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a killed process (SIGKILL, no close) loses no committed document', () => {
  // Run the real Store in a child: transpile the three modules to CommonJS in a temp dir.
  const out = join(dir, 'js');
  for (const f of ['src/errors.ts', 'src/store/migrations.ts', 'src/store/Store.ts']) {
    const src = readFileSync(join(process.cwd(), f), 'utf8');
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    mkdirSync(dirname(join(out, f)), { recursive: true });
    writeFileSync(join(out, f.replace(/\.ts$/, '.js')), js);
  }
  const child = `
    const { Store } = require(${JSON.stringify(join(out, 'src/store/Store.js'))});
    const s = Store.open(${JSON.stringify(dir)});
    const m = s.createAccount('m', null);
    const d = s.createConference(m.account.id, { name: 'survivor' });
    process.stdout.write(JSON.stringify({ key: m.apiKey, id: d.id }), () => process.kill(process.pid, 'SIGKILL'));
  `;
  const env = { ...process.env, NODE_PATH: join(process.cwd(), 'node_modules') };
  const killed = (() => {
    try {
      execFileSync(process.execPath, ['-e', child], { env });
    } catch (e) {
      return e as { signal?: string; stdout: Buffer };
    }
  })();
  expect(killed?.signal).toBe('SIGKILL');
  const { key, id } = JSON.parse(killed!.stdout.toString()) as { key: string; id: string };
  // The commits sit only in the WAL (no checkpoint ran): the reopen has to recover them.
  expect(statSync(join(dir, 'roomtone.sqlite-wal')).size).toBeGreaterThan(0);
  store = Store.open(dir);
  const m = store.accountByApiKey(key);
  expect(m).toBeDefined();
  expect(store.conference(m!.id, id)).toEqual({ id, name: 'survivor' });
});
