// Test kit for the websocket API: a real http.Server with the API on 127.0.0.1:0, and real ws clients.

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { EventHub, type HubEvent } from '../../../src/api/ws/EventHub.js';
import { WebsocketApi, type WebsocketApiOptions } from '../../../src/api/ws/WebsocketApi.js';

export type Msg = Record<string, any>;

const TOKENS: Record<string, string> = { 'tok-a': 'acct-a', 'tok-b': 'acct-b', 'tok-parent': 'acct-parent' };
const CHILDREN: Record<string, string[]> = { 'acct-parent': ['acct-a'] };

/** A real ws client that queues what it receives, so tests can wait for a message by predicate. */
export class Client {
  readonly ws: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly inbox: Msg[] = [];
  private readonly waiters: Array<{ pred: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  private seq = 0;

  constructor(url: string, opts?: ClientOptions) {
    this.ws = new WebSocket(url, opts);
    this.ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as Msg;
      const i = this.waiters.findIndex((w) => w.pred(m));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
      else this.inbox.push(m);
    });
    this.ws.on('error', () => {});
    this.closed = new Promise((r) => this.ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  }

  static async open(url: string, opts?: ClientOptions): Promise<Client> {
    const c = new Client(url, opts);
    await once(c.ws, 'open');
    clients.push(c);
    return c;
  }

  next(pred: (m: Msg) => boolean = () => true, ms = 2000): Promise<Msg> {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching message')), ms);
      this.waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  nextEvent(): Promise<Msg> {
    return this.next((m) => m.action === 'event');
  }

  request(msg: Msg): Promise<Msg> {
    const rid = `r${++this.seq}`;
    this.ws.send(JSON.stringify({ ...msg, request_id: rid }));
    return this.next((m) => m.action === 'reply' && m.request_id === rid);
  }

  subscribe(token: string, account: string, binding: string, action = 'subscribe'): Promise<Msg> {
    return this.request({ action, auth_token: token, data: { account_id: account, binding } });
  }

  command(token: string, data: Msg): Promise<Msg> {
    return this.request({ action: 'command', auth_token: token, data });
  }
}

const clients: Client[] = [];
const teardown: Array<() => Promise<void>> = [];

export async function start(extra: Partial<WebsocketApiOptions> = {}) {
  const server = http.createServer((_req, res) => res.end('ok'));
  const hub = new EventHub();
  const runCommand = vi.fn<WebsocketApiOptions['runCommand']>(async () => ({ done: true }));
  const log = { warn: vi.fn() };
  const api = new WebsocketApi(server, hub, {
    authenticate: (t) => TOKENS[t],
    canAct: (actor, account) => actor === account || (CHILDREN[actor] ?? []).includes(account),
    runCommand,
    log,
    ...extra,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  teardown.push(async () => {
    await api.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, hub, api, runCommand, log, base, url: `${base}/v2/websocket` };
}

/** The HTTP status of a refused upgrade. */
export async function refusedStatus(url: string): Promise<number> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  const [, res] = (await once(ws, 'unexpected-response')) as [unknown, http.IncomingMessage];
  ws.terminate();
  return res.statusCode ?? 0;
}

export const ev = (over: Partial<HubEvent> = {}): HubEvent => ({
  accountId: 'acct-a',
  conferenceId: 'conf1',
  callId: 'call1',
  name: 'start-talking',
  data: { participant_id: 1, talking: true },
  ...over,
});

/** For afterEach: drops the clients and stops the servers a test opened. */
export async function cleanup(): Promise<void> {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const t of teardown.splice(0)) await t();
}
