// The guarded outbound request against real HTTP servers on 127.0.0.1 and 127.0.0.2 (nothing
// else is ever contacted): refused addresses never see a connection (by address, other
// spellings, the name localhost, a redirect, a name with one bad address, a DNS answer that
// changes), allowed ones work, and every network failure gives one message, for media fetches
// and status callbacks alike.
import type { LookupAddress } from 'node:dns';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { fetchBytes } from '../../src/media/store/fetchUrl.js';
import { AddressPolicy } from '../../src/net/addressPolicy.js';
import { guardedRequest, UnreachableError, type GuardedRequest } from '../../src/net/guardedHttp.js';
import { attempt } from '../../src/service/statusCallbacks/httpAttempt.js';
import { httpTarget, type Handler, type HttpTarget } from '../helpers/httpTarget.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function target(handler?: Handler, host?: string, port?: number): Promise<HttpTarget> {
  const t = await httpTarget(handler, host, port);
  cleanup.push(t.close);
  return t;
}

/** A GET through the guard; resolves with status and body, or rejects as the guard does. */
async function get(url: string, allow: string[], o: Partial<GuardedRequest> = {}): Promise<{ status: number; body: string }> {
  const signal = AbortSignal.timeout(2000);
  const res = await guardedRequest({ url, field: 'url', policy: new AddressPolicy(allow), maxRedirects: 5, signal, ...o });
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return { status: res.statusCode ?? 0, body };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

async function notAllowed(p: Promise<unknown>, field = 'url'): Promise<void> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(InvalidArgumentError);
  expect((e as InvalidArgumentError).field).toBe(field);
  expect(e.message).toMatch(/address not allowed/);
}

/** A stand-in for dns.lookup, counting its calls: a fake name must never reach the machine's resolver. */
function fakeDns(answers: (call: number) => LookupAddress[]) {
  const calls: string[] = [];
  const lookup = async (host: string) => {
    calls.push(host);
    return answers(calls.length - 1);
  };
  return { lookup, calls };
}

/** What getaddrinfo gives for a name that does not exist. */
async function nxdomain(host: string): Promise<LookupAddress[]> {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: host });
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });

describe('guardedRequest: refused addresses are never contacted', () => {
  it('refuses a loopback server by address, by other spellings of it and by the name localhost', async () => {
    const t = await target();
    const port = t.port;
    const urls = [
      `http://127.0.0.1:${port}/a.wav`,
      `http://localhost:${port}/a.wav`,
      `http://[::ffff:127.0.0.1]:${port}/a.wav`,
      `http://[::ffff:7f00:1]:${port}/a.wav`,
      `http://[::1]:${port}/a.wav`,
      `http://2130706433:${port}/a.wav`, // 127.0.0.1 as one number (the URL parser normalises it)
      `http://0x7f.1:${port}/a.wav`,
      `http://0.0.0.0:${port}/a.wav`, // reaches the local host on Linux
    ];
    for (const url of urls) await notAllowed(get(url, []));
    expect(t.connections).toBe(0);
    expect(t.requests).toEqual([]);
  });

  it('checks every redirect hop: an allowed host cannot send the fetch to a refused one', async () => {
    const inner = await target();
    const hops = [`${inner.url}/secret`, `http://localhost:${inner.port}/secret`, `http://[::ffff:127.0.0.1]:${inner.port}/secret`];
    const outer = await target((req, res) => void res.writeHead(302, { location: hops[Number(req.url?.slice(1))] }).end(), '127.0.0.2');
    for (let i = 0; i < hops.length; i++) await notAllowed(get(`${outer.url}/${i}`, ['127.0.0.2/32']));
    expect(outer.requests).toEqual(['/0', '/1', '/2']);
    expect(inner.connections).toBe(0);

    // Allowed both, the same redirect is followed.
    expect(await get(`${outer.url}/0`, ['127.0.0.0/8'])).toEqual({ status: 200, body: 'ok' });
    expect(inner.requests).toEqual(['/secret']);
  });

  it('refuses a name when any one of its addresses is not allowed', async () => {
    const bad = await target();
    const allowed = await target(undefined, '127.0.0.2', bad.port); // same port: only the address differs
    const dns = fakeDns(() => [v4('127.0.0.2'), v4('127.0.0.1')]);
    await notAllowed(get(`http://media.invalid:${allowed.port}/`, ['127.0.0.2/32'], { lookup: dns.lookup }));
    const mixed = fakeDns(() => [v4('127.0.0.2'), { address: 'fd00::1', family: 6 }]);
    await notAllowed(get(`http://media.invalid:${allowed.port}/`, ['127.0.0.2/32'], { lookup: mixed.lookup }));
    expect(allowed.connections + bad.connections).toBe(0);
  });

  it('connects to the address it checked: a second DNS answer cannot swap in another (rebinding)', async () => {
    const swapped = await target();
    const checked = await target((_, res) => void res.end('checked'), '127.0.0.2', swapped.port); // only the address differs
    const dns = fakeDns((call) => (call === 0 ? [v4('127.0.0.2')] : [v4('127.0.0.1')]));
    expect(await get(`http://rebind.invalid:${checked.port}/`, ['127.0.0.2/32'], { lookup: dns.lookup })).toEqual({ status: 200, body: 'checked' });
    expect(dns.calls).toEqual(['rebind.invalid']); // looked up once, and that answer used
    expect(checked.requests).toEqual(['/']);
    expect(swapped.connections).toBe(0);
  });

  it('reaches loopback once the operator allows it, by address and by localhost', async () => {
    const t = await target();
    expect(await get(`${t.url}/x`, ['127.0.0.0/8'])).toEqual({ status: 200, body: 'ok' });
    expect(await get(`http://localhost:${t.port}/y`, ['127.0.0.0/8', '::1/128'])).toEqual({ status: 200, body: 'ok' });
    expect(t.requests).toEqual(['/x', '/y']);
  });
});

describe('guardedRequest: the request itself', () => {
  it('sends POST bodies with their length, follows at most maxRedirects (as GET) and hands back the next 3xx', async () => {
    const seen: { method?: string; type?: string; length?: string; body: string }[] = [];
    const t = await target((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method, type: req.headers['content-type'], length: req.headers['content-length'], body });
        const n = Number(req.url?.slice(1));
        if (n > 0) res.writeHead(302, { location: `/${n - 1}` }).end();
        else res.end('done');
      });
    });
    const post = { method: 'POST' as const, body: 'a=1&b=é', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    expect(await get(`${t.url}/0`, ['127.0.0.0/8'], post)).toEqual({ status: 200, body: 'done' });
    expect(seen[0]).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded', length: String(Buffer.byteLength('a=1&b=é')), body: 'a=1&b=é' });
    expect((await get(`${t.url}/2`, ['127.0.0.0/8'], { ...post, maxRedirects: 0 })).status).toBe(302);
    seen.length = 0;
    expect(await get(`${t.url}/2`, ['127.0.0.0/8'], { ...post, maxRedirects: 2 })).toEqual({ status: 200, body: 'done' });
    expect(seen.map((s) => [s.method, s.type, s.body])).toEqual([['POST', 'application/x-www-form-urlencoded', 'a=1&b=é'], ['GET', undefined, ''], ['GET', undefined, '']]);
    expect((await get(`${t.url}/3`, ['127.0.0.0/8'], { maxRedirects: 2 })).status).toBe(302);
  });

  it('refuses URLs that are not http(s) or not URLs, before and after a redirect', async () => {
    const t = await target((req, res) => void res.writeHead(302, { location: req.url === '/bad' ? 'http://[::1' : 'file:///etc/passwd' }).end());
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/', 'gopher://127.0.0.1:70/', 'not a url']) {
      const e = await rejection(get(url, ['127.0.0.0/8']));
      expect(e).toBeInstanceOf(InvalidArgumentError);
    }
    expect((await rejection(get(`${t.url}/`, ['127.0.0.0/8']))).message).toMatch(/http or https/);
    const invalid = await rejection(get(`${t.url}/bad`, ['127.0.0.0/8']));
    expect(invalid).toBeInstanceOf(InvalidArgumentError);
    expect(invalid.message).toBe('url is not a valid URL');
  });
});

/** Four failures of a different cause; with 127.0.0.0/8 allowed, each reaches the network. */
async function failures(): Promise<{ name: string; url: string; lookup?: GuardedRequest['lookup'] }[]> {
  const closed = await target();
  await closed.close(); // nobody listens on its port any more
  const silent = await target(() => {}); // accepts, never answers
  const reset: TcpServer = createTcpServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => reset.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => reset.close(() => resolve())));
  return [
    { name: 'connection refused', url: `${closed.url}/a.wav` },
    { name: 'no answer', url: `${silent.url}/a.wav` },
    { name: 'connection reset', url: `http://127.0.0.1:${(reset.address() as { port: number }).port}/a.wav` },
    // A name under .invalid never resolves (RFC 6761). The machine's own resolver is not on
    // loopback, so this test must not ask it: the stand-in fails exactly as getaddrinfo does.
    { name: 'unresolvable name', url: 'http://media.roomtone.invalid/a.wav', lookup: nxdomain },
  ];
}

describe('one message for every network failure', () => {
  it('guardedRequest: UnreachableError, the same message whatever happened', async () => {
    const messages = new Set<string>();
    for (const f of await failures()) {
      const signal = AbortSignal.timeout(300);
      const e = await rejection(guardedRequest({ url: f.url, field: 'url', policy: new AddressPolicy(['127.0.0.0/8']), maxRedirects: 5, signal, lookup: f.lookup }));
      expect(e, f.name).toBeInstanceOf(UnreachableError);
      messages.add(e.message);
    }
    expect([...messages]).toEqual(['unreachable, or no answer in time']);
  });

  it('media fetches: InvalidArgumentError on url, one message, no errno', async () => {
    const messages = new Set<string>();
    for (const f of await failures()) {
      const e = await rejection(fetchBytes(f.url, { maxBytes: 1000, timeoutMs: 300, policy: new AddressPolicy(['127.0.0.0/8']), lookup: f.lookup }));
      expect(e, f.name).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).field).toBe('url');
      messages.add(e.message);
    }
    expect([...messages]).toEqual(['url could not be fetched (unreachable, or no complete answer within 0.3 s)']);
    // A refused address is told apart (it is the account's URL that is wrong), without the address.
    const refused = await rejection(fetchBytes('http://127.0.0.1:9/a.wav', { maxBytes: 1000, timeoutMs: 300, policy: new AddressPolicy() }));
    expect(refused.message).toBe('url resolves to an address not allowed');
  });

  it('status callbacks: retried, one error string; a refused address is not retried', async () => {
    const errors = new Set<string>();
    const req = (url: string) => ({ url, method: 'POST' as const, body: 'a=1' });
    for (const f of await failures()) {
      const r = await attempt(req(f.url), 300, new AbortController().signal, { policy: new AddressPolicy(['127.0.0.0/8']), lookup: f.lookup });
      expect(r, f.name).toMatchObject({ ok: false, retry: true });
      if (!r.ok) errors.add(r.error);
    }
    expect([...errors]).toEqual(['could not be delivered (unreachable, or no answer within 300 ms)']);
    const t = await target();
    const refused = await attempt(req(`${t.url}/cb`), 300, new AbortController().signal, { policy: new AddressPolicy() });
    expect(refused).toEqual({ ok: false, retry: false, error: 'status_callback.url resolves to an address not allowed' });
    expect(t.connections).toBe(0);
  });
});
