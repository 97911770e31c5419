// HTTPS and WSS with a certificate given by --tls-cert/--tls-key (self-signed, made here with
// openssl), and the security headers on every response.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsGet, startServer, type ServerProcess } from '../helpers/serverProcess.js';
import { requireTool } from '../helpers/tools.js';

let tls: ServerProcess;
let plain: ServerProcess;
let ca: string;

beforeAll(async () => {
  requireTool('openssl');
  const dir = mkdtempSync(join(tmpdir(), 'roomtone-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  ca = readFileSync(cert, 'utf8');
  tls = await startServer({ rtpPorts: '31700-31709', env: { ROOMTONE_TLS_CERT: cert, ROOMTONE_TLS_KEY: key }, tls: { ca } });
  plain = await startServer({ rtpPorts: '31710-31719' });
}, 30_000);
afterAll(async () => {
  await tls?.stop();
  await plain?.stop();
});

describe('HTTPS, WSS and security headers', () => {
  it('serves the API over HTTPS with the given certificate, with HSTS', async () => {
    const r = await httpsGet(`https://127.0.0.1:${tls.port}/v2/health`, ca);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).status).toBe('success');
    expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    // Plain HTTP on the TLS port gets no API answer.
    await expect(fetch(`http://127.0.0.1:${tls.port}/v2/health`, { signal: AbortSignal.timeout(2000) }).then((x) => x.status)).rejects.toThrow();
  });

  it('serves the websocket over WSS', async () => {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`wss://127.0.0.1:${tls.port}/v2/websocket`, { ca });
    const reply = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply')), 5000);
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ action: 'subscribe', request_id: '1', auth_token: 'nope', data: { account_id: 'x', binding: 'conference.event.*.*' } })));
      ws.once('message', (d) => {
        clearTimeout(timer);
        resolve(JSON.parse(String(d)) as Record<string, unknown>);
      });
    });
    ws.close();
    expect(reply).toMatchObject({ action: 'reply', request_id: '1', status: 'error', error: '401' });
  });

  it('puts the security headers on every response: success, error, metrics', async () => {
    for (const path of ['/v2/health', '/v2/accounts/x/conferences', '/metrics', '/nowhere']) {
      const r = await plain.api('GET', path);
      const h = r.headers;
      expect(h.get('x-content-type-options'), path).toBe('nosniff');
      expect(h.get('x-frame-options'), path).toBe('DENY');
      expect(h.get('content-security-policy'), path).toMatch(/default-src 'none'/);
      expect(h.get('referrer-policy'), path).toBe('no-referrer');
      expect(h.get('cross-origin-resource-policy'), path).toBe('same-origin');
      expect(h.get('strict-transport-security'), `${path}: no HSTS over plain HTTP`).toBeNull();
    }
  });
});
