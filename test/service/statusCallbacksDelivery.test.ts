// Delivery of status callbacks against a real HTTP server on 127.0.0.1: retries with backoff,
// no retry on 4xx, giving up, an endpoint that never answers, bounded queues, close().
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConferenceEventOut } from '../../src/service/EventSink.js';
import { StatusCallbacks, type StatusCallbacksOptions } from '../../src/service/statusCallbacks/StatusCallbacks.js';
import { silentLogger } from '../../src/util/logger.js';

interface Hit {
  path: string;
  at: number;
  params: URLSearchParams;
}

/** A callback endpoint; `reply` gives the status for each request (a 3xx points to /landed), or 'hang' to never answer. */
async function receiver(reply: (hit: Hit, index: number) => number | 'hang' = () => 200) {
  const hits: Hit[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname, at: performance.now(), params: new URLSearchParams(Buffer.concat(chunks).toString()) };
      hits.push(hit);
      const status = reply(hit, hits.length - 1);
      if (status === 'hang') hung.push(res);
      else res.writeHead(status, status >= 300 && status < 400 ? { location: '/landed' } : {}).end(status >= 400 ? 'no' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  const on = (path: string) => hits.filter((h) => h.path === path);
  return { url, hits, hung, close, on };
}

const ACC = 'a'.repeat(32);

function join(conferenceId: string, callId = 'call-1'): ConferenceEventOut {
  return { accountId: ACC, conferenceId, callId, name: 'add-member', data: { call_id: callId, speak: true, held: false, coaching: null } };
}

const doc = (url: string) => ({ id: 'x', name: 'Room', status_callback: { url } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = (check: () => void, timeout = 3000) => vi.waitFor(check, { timeout, interval: 5 });

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(reply?: (hit: Hit, index: number) => number | 'hang', options: Partial<StatusCallbacksOptions> = {}) {
  const r = await receiver(reply);
  const warn = vi.fn();
  // The receiver is on loopback, which the address policy refuses unless allowed.
  const callbacks = new StatusCallbacks({ log: { ...silentLogger, warn }, timeoutMs: 500, backoffMs: 40, maxAttempts: 3, closeGraceMs: 0, fetchAllow: ['127.0.0.0/8'], ...options });
  cleanup.push(() => callbacks.close(), r.close);
  return { r, callbacks, warn };
}

describe('status callbacks: retries', () => {
  it('retries a 500 with exponential backoff, then succeeds', async () => {
    const { r, callbacks } = await setup((_, i) => (i < 2 ? 500 : 200));
    callbacks.notify(doc(`${r.url}/cb`), join('c1'));
    await until(() => expect(callbacks.sent).toBe(1));
    expect(r.hits).toHaveLength(3);
    expect(r.hits.map((h) => h.params.get('SequenceNumber'))).toEqual(['1', '1', '1']); // the same callback again
    expect(r.hits[1]!.at - r.hits[0]!.at).toBeGreaterThanOrEqual(35); // 40 ms
    expect(r.hits[2]!.at - r.hits[1]!.at).toBeGreaterThanOrEqual(75); // then 80 ms
    expect({ retried: callbacks.retried, failed: callbacks.failed }).toEqual({ retried: 2, failed: 0 });
  });

  it('does not retry a 404, and goes on with the next callback', async () => {
    const { r, callbacks, warn } = await setup((_, i) => (i === 0 ? 404 : 200));
    callbacks.notify(doc(`${r.url}/cb`), join('c1', 'call-1'));
    callbacks.notify(doc(`${r.url}/cb`), join('c1', 'call-2'));
    await until(() => expect(callbacks.sent).toBe(1));
    expect(r.hits.map((h) => h.params.get('CallSid'))).toEqual(['call-1', 'call-2']);
    expect({ retried: callbacks.retried, failed: callbacks.failed }).toEqual({ retried: 0, failed: 1 });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ attempts: 1, error: 'HTTP 404' }), 'status callback failed');
  });

  it('gives up after maxAttempts on 503s and on a refused connection', async () => {
    const { r, callbacks } = await setup(() => 503);
    const dead = await receiver();
    await dead.close(); // nobody listens on its port any more
    callbacks.notify(doc(`${r.url}/cb`), join('c1'));
    callbacks.notify(doc(`${dead.url}/cb`), join('c2'));
    await until(() => expect(callbacks.failed).toBe(2));
    expect(r.hits).toHaveLength(3);
    expect({ sent: callbacks.sent, retried: callbacks.retried, pending: callbacks.pending }).toEqual({ sent: 0, retried: 4, pending: 0 });
  });
});

describe('status callbacks: the outbound address policy', () => {
  it('never calls a URL on a refused address, does not retry it, and says so without the address', async () => {
    const { r, callbacks, warn } = await setup(undefined, { fetchAllow: [] });
    callbacks.notify(doc(`${r.url}/cb`), join('c1'));
    callbacks.notify(doc(`http://localhost:${new URL(r.url).port}/cb`), join('c2'));
    await until(() => expect(callbacks.failed).toBe(2));
    await sleep(100); // no retry comes later either (backoff is 40 ms)
    expect(r.hits).toHaveLength(0);
    expect({ sent: callbacks.sent, retried: callbacks.retried, pending: callbacks.pending }).toEqual({ sent: 0, retried: 0, pending: 0 });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ attempts: 1, error: 'status_callback.url resolves to an address not allowed' }), 'status callback failed');
  });

  it('does not follow redirects: a 3xx is a failure, not retried, and its Location is never requested', async () => {
    const { r, callbacks, warn } = await setup((h) => (h.path === '/moved' ? 302 : 200));
    callbacks.notify(doc(`${r.url}/moved`), join('c1'));
    await until(() => expect(callbacks.failed).toBe(1));
    expect(r.hits.map((h) => h.path)).toEqual(['/moved']);
    expect(callbacks.retried).toBe(0);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ attempts: 1, error: 'HTTP 302' }), 'status callback failed');
  });
});

describe('status callbacks: a dead endpoint delays nothing else', () => {
  it('returns from notify() at once, delivers other conferences promptly, times the hung one out, retries it, gives up', async () => {
    const { r, callbacks, warn } = await setup((h) => (h.path === '/hang' ? 'hang' : 200), { timeoutMs: 300, maxAttempts: 2 });
    callbacks.notify(doc(`${r.url}/ok`), join('warm-up'));
    await until(() => expect(callbacks.sent).toBe(1));

    const t0 = performance.now();
    const took: number[] = [];
    const timed = (d: Record<string, unknown>, e: ConferenceEventOut) => {
      const s = performance.now();
      callbacks.notify(d, e);
      took.push(performance.now() - s);
    };
    timed(doc(`${r.url}/hang`), join('hung'));
    await until(() => expect(r.on('/hang')).toHaveLength(1));
    for (let i = 0; i < 5; i++) timed(doc(`${r.url}/ok`), join(`c${i}`));
    expect(Math.max(...took)).toBeLessThan(1);

    await until(() => expect(callbacks.sent).toBe(6));
    expect(r.on('/ok')).toHaveLength(6);
    expect(performance.now() - t0).toBeLessThan(250); // well before the hung request times out
    expect(callbacks.pending).toBe(1);

    await until(() => expect(callbacks.failed).toBe(1));
    const hung = r.on('/hang');
    expect(hung).toHaveLength(2);
    expect(hung[1]!.at - hung[0]!.at).toBeGreaterThanOrEqual(300 + 35); // timeout, then 40 ms backoff
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ conferenceId: 'hung', attempts: 2, error: 'could not be delivered (unreachable, or no answer within 300 ms)' }), 'status callback failed');
    expect({ sent: callbacks.sent, retried: callbacks.retried, pending: callbacks.pending }).toEqual({ sent: 6, retried: 1, pending: 0 });
  });

  it('close() aborts a hung request after its grace period and drops what is queued', async () => {
    const { r, callbacks } = await setup(() => 'hang', { timeoutMs: 10_000, closeGraceMs: 50 });
    for (let i = 0; i < 3; i++) callbacks.notify(doc(`${r.url}/hang`), join('c1', `call-${i}`));
    await until(() => expect(r.hits).toHaveLength(1));
    const t0 = performance.now();
    await callbacks.close();
    expect(performance.now() - t0).toBeLessThan(500);
    expect({ dropped: callbacks.dropped, pending: callbacks.pending, failed: callbacks.failed }).toEqual({ dropped: 3, pending: 0, failed: 0 });
    callbacks.notify(doc(`${r.url}/hang`), join('c1')); // ignored once closed
    expect(callbacks.pending).toBe(0);
  });

  it('holds many hung conferences at once without warnings, and close() drops them all', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    cleanup.push(async () => void process.off('warning', onWarning));
    const { r, callbacks } = await setup(() => 'hang', { timeoutMs: 10_000 });
    for (let i = 0; i < 30; i++) callbacks.notify(doc(`${r.url}/hang`), join(`c${i}`));
    await until(() => expect(r.hits).toHaveLength(30)); // one request per conference, all at once
    await callbacks.close();
    await sleep(20);
    expect(warnings).toEqual([]); // no MaxListenersExceededWarning on the shared abort signal
    expect({ dropped: callbacks.dropped, pending: callbacks.pending }).toEqual({ dropped: 30, pending: 0 });
  });

  it('close() lets queued callbacks out within its grace period', async () => {
    const { r, callbacks } = await setup(undefined, { closeGraceMs: 2000 });
    for (let i = 0; i < 20; i++) callbacks.notify(doc(`${r.url}/cb`), join(`c${i % 4}`, `call-${i}`));
    await callbacks.close();
    expect(r.hits).toHaveLength(20);
    expect(callbacks.dropped).toBe(0);
  });
});

describe('status callbacks: bounded queues', () => {
  it('keeps per-conference and overall bounds under a flood, counts the drops and logs once per conference', async () => {
    const { r, callbacks, warn } = await setup(() => 'hang', { timeoutMs: 10_000, maxQueuePerConference: 10, maxQueued: 25 });
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) callbacks.notify(doc(`${r.url}/hang`), join('flooded', `call-${i}`));
    for (let i = 0; i < 20; i++) callbacks.notify(doc(`${r.url}/hang`), join(i < 10 ? 'b' : 'c', `call-${i}`));
    expect(performance.now() - t0).toBeLessThan(200);
    expect(callbacks.pending).toBe(25); // 10 + 10 + 5: the overall bound cut conference c
    expect(callbacks.dropped).toBe(990 + 5);
    const full = warn.mock.calls.filter((c) => c[1] === 'status callback queue full: dropping callbacks');
    expect(full.map((c) => (c[0] as { conferenceId: string }).conferenceId)).toEqual(['flooded', 'c']);
    await until(() => expect(r.hits).toHaveLength(3)); // one request in flight per conference
    await sleep(30);
    expect(r.hits).toHaveLength(3);
  });

  it('delivers a burst for one conference in order, one request at a time', async () => {
    const { r, callbacks } = await setup(() => 'hang');
    for (let i = 0; i < 200; i++) callbacks.notify(doc(`${r.url}/cb`), join('burst', `call-${i}`));
    let most = 0;
    while (callbacks.sent < 200) {
      most = Math.max(most, r.hung.length);
      r.hung.shift()?.writeHead(200).end('ok'); // answered by hand: the next one may come
      await sleep(1);
    }
    expect(r.hits.map((h) => h.params.get('SequenceNumber'))).toEqual(Array.from({ length: 200 }, (_, i) => String(i + 1)));
    expect(r.hits.map((h) => h.params.get('CallSid'))).toEqual(Array.from({ length: 200 }, (_, i) => `call-${i}`));
    expect(most).toBe(1);
  });
});
