// What the server writes is readable by the server's user only: the database (API key hashes,
// documents), uploaded media and recordings.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWav, sine } from '../media/store/fixtures.js';
import { startServer, type ServerProcess } from '../helpers/serverProcess.js';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({ rtpPorts: '31620-31629' });
}, 30_000);
afterAll(async () => {
  if (server) await server.stop();
});

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every file and directory below `dir`, with `dir` itself. */
function walk(dir: string): string[] {
  return [dir, ...readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))];
}

describe('file modes', () => {
  it('creates the data directory, the database and uploaded media for its own user only', async () => {
    const { token, accountId } = await server.login(server.masterApiKey!);
    const created = await server.api('PUT', `/v2/accounts/${accountId}/media`, { data: { name: 'beep' } }, token);
    expect(created.status, created.text).toBe(201);
    const raw = await server.api('POST', `/v2/accounts/${accountId}/media/${created.body.data.id}/raw`, makeWav(sine(1000), 0.2, { rate: 8000 }), token, {
      'content-type': 'audio/wav',
    });
    expect(raw.status, raw.text).toBeLessThan(300);
    const paths = walk(server.dataDir);
    expect(paths.some((p) => p.endsWith('roomtone.sqlite'))).toBe(true);
    expect(paths.some((p) => p.endsWith('.pcm'))).toBe(true);
    for (const p of paths) {
      const m = mode(p);
      expect(m & 0o077, `${p} is ${m.toString(8)}`).toBe(0);
    }
  });
});
