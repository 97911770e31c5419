// Connections a client holds: idle ones (no complete request) are closed within the headers
// timeout, one address cannot take every connection, and websockets are capped per address.
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, WsClient, type ServerProcess } from '../helpers/serverProcess.js';

const HEADERS_TIMEOUT_MS = 2000;
let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({ rtpPorts: '31680-31689', env: { ROOMTONE_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) } });
}, 30_000);
afterAll(async () => {
  if (server) await server.stop();
});

/** GET /v2/health from `localAddress` (another client on loopback); resolves with status and time taken. */
function health(localAddress: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/v2/health', localAddress, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('connections', () => {
  it('500 idle connections from one client: another client is answered at once, and the idle ones are closed within the timeout', async () => {
    const sockets: Socket[] = [];
    const closedAt: number[] = [];
    const opened = performance.now();
    await Promise.all(
      Array.from({ length: 500 }, () => new Promise<void>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: server.port });
        s.on('error', () => {});
        s.once('close', () => closedAt.push(performance.now() - opened));
        s.once('connect', () => resolve());
        s.once('close', () => resolve());
        sockets.push(s);
      })),
    );
    try {
      const other = await health('127.0.0.2');
      expect(other.status).toBe(200);
      expect(other.ms, 'another client is answered within 1 s').toBeLessThan(1000);
      const deadline = performance.now() + HEADERS_TIMEOUT_MS + 3000;
      while (closedAt.length < 500 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(closedAt.length, 'every idle connection is closed').toBe(500);
      const latest = Math.max(...closedAt);
      expect(latest, 'closed within the headers timeout (+ its 1 s check)').toBeLessThan(HEADERS_TIMEOUT_MS + 2500);
      console.log(`500 idle connections: another client answered in ${other.ms.toFixed(0)} ms; all closed by ${latest.toFixed(0)} ms (headers timeout ${HEADERS_TIMEOUT_MS} ms)`);
    } finally {
      for (const s of sockets) s.destroy();
    }
  }, 20_000);

  it('caps websockets per client address', async () => {
    const open: WsClient[] = [];
    try {
      for (let i = 0; i < 20; i++) open.push(await WsClient.connect(server.url));
      await expect(WsClient.connect(server.url)).rejects.toThrow(/429/);
      await open.pop()!.close();
      await new Promise((r) => setTimeout(r, 100));
      open.push(await WsClient.connect(server.url)); // a place freed is a place taken
    } finally {
      await Promise.all(open.map((c) => c.close()));
    }
  });

  it('answers an upgrade to another path with 404, and keeps a connection that sent a request', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: server.port }, () =>
        s.write('GET /elsewhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'),
      );
      let text = '';
      s.on('data', (d) => (text += d));
      s.on('close', () => resolve(text.split('\r\n')[0]));
      s.on('error', reject);
      setTimeout(() => s.destroy(), 3000);
    });
    expect(status).toBe('HTTP/1.1 404 Not Found');
    // A keep-alive connection that has made a request is not taken for an idle one.
    const socket = connect({ host: '127.0.0.1', port: server.port });
    let closedAt = 0;
    const opened = performance.now();
    socket.on('close', () => (closedAt = performance.now() - opened));
    socket.on('error', () => {});
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET /v2/health HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, HEADERS_TIMEOUT_MS + 1500));
    expect(closedAt, 'still open past the first-byte timeout (keep-alive closes it later)').toBe(0);
    socket.destroy();
  });
});
