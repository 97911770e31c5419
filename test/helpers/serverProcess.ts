// Runs the real conference server (`node dist/src/cli/main.js serve`) as a child process, and
// talks to it over HTTP the way any client would. Every wait is bounded; a server that does not
// come up, or does not stop, fails the test with its own output attached.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest directory above this file with a package.json (this file also runs compiled, from dist/test/helpers). */
const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('no package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();
/** The compiled CLI; `npm test`'s pretest (or `npm run build:ts`) builds it. */
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ApiResult {
  status: number;
  /** The parsed JSON body, or undefined when the body is not JSON (see `text`). */
  body: Json;
  text: string;
  headers: Headers;
}

export type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface ApiClient {
  readonly url: string;
  /** One request; an object body is sent as JSON, a string or Buffer body as it is. */
  api(method: Method, path: string, body?: unknown, token?: string, headers?: Record<string, string>): Promise<ApiResult>;
  /** PUT /v2/api_auth; throws unless it succeeds. */
  login(apiKey: string): Promise<{ token: string; accountId: string }>;
}

const REQUEST_TIMEOUT_MS = 15_000;

export function apiClient(url: string): ApiClient {
  const api = async (method: Method, path: string, body?: unknown, token?: string, extra: Record<string, string> = {}): Promise<ApiResult> => {
    const headers: Record<string, string> = { ...extra };
    if (token !== undefined) headers['x-auth-token'] = token;
    let payload: string | Buffer | undefined;
    if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(url + path, { method, headers, body: payload, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    let parsed: Json = undefined as unknown as Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      // not JSON (Prometheus text)
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };
  const login = async (apiKey: string) => {
    const r = await api('PUT', '/v2/api_auth', { data: { api_key: apiKey } });
    if (r.status !== 201 && r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
    return { token: r.body.auth_token as string, accountId: r.body.data.account_id as string };
  };
  return { url, api, login };
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the listener is closed before returning). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

export const randomApiKey = (): string => randomBytes(32).toString('hex');

export function tempDataDir(prefix = 'roomtone-server-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface StartOptions {
  /** ROOMTONE_RTP_PORTS, e.g. "30000-30099": unique per test file so files never share ports. */
  rtpPorts: string;
  /** A new temp dir when omitted. */
  dataDir?: string;
  /** The master key; a random one when omitted, and none at all (the server generates one) when null. */
  masterApiKey?: string | null;
  /** Extra environment (wins over the defaults above). */
  env?: Record<string, string>;
  /** Node flags before the script, e.g. --cpu-prof (which Node refuses in NODE_OPTIONS); worker threads inherit them. */
  nodeArgs?: string[];
  startTimeoutMs?: number;
  /** The server runs HTTPS (ROOMTONE_TLS_CERT/KEY in env): health is polled over TLS trusting `ca`. Its `api` is not usable then. */
  tls?: { ca: string };
}

export interface ServerProcess extends ApiClient {
  readonly child: ChildProcess;
  readonly port: number;
  readonly dataDir: string;
  /** The master key given in the environment (undefined when the server generated one). */
  readonly masterApiKey: string | undefined;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr, the tail of each, for assertion messages. */
  diagnostics(): string;
  /** The process's exit, once it has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last line of defence: a test runner that exits never leaves a server behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
}

/** Starts the server and resolves once GET /v2/health answers 200. */
export async function startServer(o: StartOptions): Promise<ServerProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:ts\` first`);
  installExitHook();
  // A port found free can be taken before the server binds it; try again with another then.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(o, await freeTcpPort());
    } catch (err) {
      lastError = err;
      if (!/EADDRINUSE/.test(String((err as Error).message))) throw err;
    }
  }
  throw lastError;
}

async function startOnce(o: StartOptions, port: number): Promise<ServerProcess> {
  const dataDir = o.dataDir ?? tempDataDir();
  const masterApiKey = o.masterApiKey === null ? undefined : (o.masterApiKey ?? randomApiKey());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ROOMTONE_HTTP_HOST: '127.0.0.1',
    ROOMTONE_HTTP_PORT: String(port),
    ROOMTONE_DATA_DIR: dataDir,
    ROOMTONE_WORKERS: '1',
    ROOMTONE_RTP_PORTS: o.rtpPorts,
    ROOMTONE_LOG_LEVEL: 'warn',
    // Several servers may run at once: SIP only where a test asks for it, on a port of its own.
    ROOMTONE_SIP_PORT: '0',
    ...o.env,
  };
  if (masterApiKey === undefined) delete env.ROOMTONE_MASTER_API_KEY;
  else env.ROOMTONE_MASTER_API_KEY = masterApiKey;

  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), CLI, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      res({ code, signal });
    });
    child.once('error', () => {
      running.delete(child);
      res({ code: null, signal: null });
    });
  });
  const tail = (s: string) => (s.length > 4000 ? '…' + s.slice(-4000) : s);
  const diagnostics = () => `--- server stdout ---\n${tail(out)}\n--- server stderr ---\n${tail(err)}`;
  const client = apiClient(`http://127.0.0.1:${port}`);

  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited), killed: false };
    child.kill('SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, graceMs);
    const result = await exited;
    clearTimeout(timer);
    return { ...result, killed };
  };

  // Wait for health, bounded, and give up at once if the process dies.
  const deadline = Date.now() + (o.startTimeoutMs ?? 20_000);
  let died = false;
  void exited.then(() => (died = true));
  for (;;) {
    if (died) {
      throw new Error(`server exited before it answered /v2/health (${JSON.stringify(await exited)})\n${diagnostics()}`);
    }
    try {
      if (o.tls) {
        if ((await httpsGet(`https://127.0.0.1:${port}/v2/health`, o.tls.ca)).status === 200) break;
      } else {
        const res = await fetch(`${client.url}/v2/health`, { signal: AbortSignal.timeout(1000) });
        await res.text();
        if (res.status === 200) break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop(2000);
      throw new Error(`server did not answer /v2/health within ${o.startTimeoutMs ?? 20_000} ms\n${diagnostics()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    ...client,
    child,
    port,
    dataDir,
    masterApiKey,
    stdout: () => out,
    stderr: () => err,
    diagnostics,
    exited,
    stop,
  };
}

/** One HTTPS GET trusting `ca` (a test's self-signed certificate), bounded to 2 s. */
export function httpsGet(url: string, ca: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = httpsRequest(url, { ca, timeout: 2000, servername: 'localhost' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Parses the server's JSON log lines from stdout (other lines, like the master-key banner, are skipped). */
export function logLines(stdout: string): Json[] {
  const lines: Json[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Json);
    } catch {
      // a partial line
    }
  }
  return lines;
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined/false; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A websocket client of `/v2/websocket` that keeps every message it receives. */
export class WsClient {
  readonly messages: Json[] = [];
  #nextId = 1;
  #waiters = new Set<() => void>();

  private constructor(readonly ws: import('ws').WebSocket) {
    ws.on('message', (data) => {
      try {
        this.messages.push(JSON.parse(String(data)) as Json);
      } catch {
        this.messages.push({ unparsable: String(data) });
      }
      for (const w of [...this.#waiters]) w();
    });
    ws.on('close', () => {
      for (const w of [...this.#waiters]) w();
    });
  }

  static async connect(httpUrl: string, timeoutMs = 5000): Promise<WsClient> {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(httpUrl.replace(/^http/, 'ws') + '/v2/websocket');
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => {
        ws.terminate();
        rej(new Error('websocket connect timed out'));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        res();
      });
      ws.once('error', (e) => {
        clearTimeout(timer);
        rej(e);
      });
    });
    return new WsClient(ws);
  }

  get events(): Json[] {
    return this.messages.filter((m) => m.action === 'event');
  }

  /** Sends a message with a fresh request_id and resolves with its reply. */
  async request(msg: Json, timeoutMs = 5000): Promise<Json> {
    const requestId = `r${this.#nextId++}`;
    this.ws.send(JSON.stringify({ ...msg, request_id: requestId }));
    return this.waitFor(`reply to ${requestId}`, (m) => m.action === 'reply' && m.request_id === requestId, timeoutMs);
  }

  subscribe(authToken: string, accountId: string, binding: string): Promise<Json> {
    return this.request({ action: 'subscribe', auth_token: authToken, data: { account_id: accountId, binding } });
  }

  unsubscribe(authToken: string, accountId: string, binding: string): Promise<Json> {
    return this.request({ action: 'unsubscribe', auth_token: authToken, data: { account_id: accountId, binding } });
  }

  /** The first message (already received or still to come) that matches; throws after `timeoutMs`. */
  waitFor(what: string, match: (m: Json) => boolean, timeoutMs = 5000): Promise<Json> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((res, rej) => {
      const check = () => {
        const m = this.messages.find(match);
        if (m) return done(() => res(m));
        if (this.ws.readyState > 1) done(() => rej(new Error(`websocket closed while waiting for ${what}`)));
      };
      const timer = setTimeout(
        () => done(() => rej(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.messages.slice(-10))}`))),
        timeoutMs,
      );
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        f();
      };
      this.#waiters.add(check);
    });
  }

  /** The first event with this name (and, when given, this call id). */
  waitEvent(name: string, callId?: string, timeoutMs = 5000): Promise<Json> {
    return this.waitFor(
      `event ${name}${callId ? ` of ${callId}` : ''}`,
      (m) => m.action === 'event' && m.name === name && (callId === undefined || m.data?.call_id === callId),
      timeoutMs,
    );
  }

  close(): Promise<void> {
    if (this.ws.readyState === 3) return Promise.resolve();
    return new Promise((res) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        res();
      }, 2000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        res();
      });
      this.ws.close();
    });
  }
}
