// Kazoo-style websocket API on the HTTP server's own port (`GET /v2/websocket`): JSON messages
// subscribe to conference event bindings and run conference commands. Each message carries its
// auth token (as in Kazoo's blackhole), so no cookie is involved and a cross-site page gains
// nothing by opening the socket. All a remote party controls is bounded: connections, message
// size, subscriptions, commands in flight, and bytes queued towards it.

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { parseBinding } from './bindings.js';
import { SocketSink, Subscription, type EventHub } from './EventHub.js';
import { commandError, XIVO_ERRORS } from './xivo/xivoMessages.js';
import { XIVO_PREFIX, XivoSubscription, type XivoHub } from './xivo/XivoHub.js';
import { LEVELS_PREFIX, LevelsSubscription, type LevelsHub } from './levels/LevelsHub.js';

export type CommandRequest = { accountId: string; conferenceId: string; participantId?: number; command: string; data: unknown };

export interface WebsocketApiOptions {
  /** account id for a token, or undefined */
  authenticate(token: string): string | undefined;
  /** may the token's account act on accountId (itself or a child)? */
  canAct(actorAccountId: string, accountId: string): boolean;
  runCommand(actorAccountId: string, req: CommandRequest): Promise<unknown>;
  /** XiVO subscriptions (`xivo.conference.{number}`): their hub, and who is in a conference now. */
  xivo?: { hub: XivoHub; snapshot(accountId: string, number: string): Record<string, unknown>[] };
  /** The level stream (`conference.levels.{C}`). */
  levels?: LevelsHub;
  /** errors from runCommand carry `status` (HTTP number) and `message` and maybe `data` */
  log?: { warn(fields: object, msg: string): void };
  maxBufferedBytes?: number; maxQueuedEvents?: number; maxSubscriptions?: number; maxConnections?: number; maxConnectionsPerAddress?: number; maxConnectionsPerAccount?: number;
  maxMessageBytes?: number; maxPendingCommands?: number; pingIntervalMs?: number; closeGraceMs?: number; tokenRecheckMs?: number;
}

const DEFAULTS = {
  maxBufferedBytes: 1024 * 1024, // bytes queued towards one socket before it is cut (1008)
  maxQueuedEvents: 10_000, // frames queued towards one socket before it is cut (1008)
  maxSubscriptions: 100, // per connection
  maxConnections: 1000, // per server; more are refused with HTTP 503
  maxConnectionsPerAddress: 20, // per client address; more are refused with HTTP 429
  maxConnectionsPerAccount: 50, // connections one account's tokens act through; the next gets a 429 reply
  maxMessageBytes: 64 * 1024, // larger client messages close the socket with 1009
  tokenRecheckMs: 10_000, // how soon a subscription ends after its token expires (revocation ends it at once)
  maxPendingCommands: 32, // per connection; more get a 429 reply
  pingIntervalMs: 30_000, // a peer that has not answered the previous ping is terminated
  closeGraceMs: 2000, // for a closing peer to finish the close handshake
};
type Limits = typeof DEFAULTS;

export const WEBSOCKET_PATH = '/v2/websocket';
const MAX_ID_LENGTH = 128; // ids and command names
const MAX_TOKEN_LENGTH = 4096; // longer "tokens" are not looked up at all

interface Connection {
  ws: WebSocket;
  address: string;
  sink: SocketSink;
  subs: Map<string, Subscription>; // key: account id + ' ' + binding
  /** The auth token each subscription was made with, by the same key: it ends with the token. */
  tokens: Map<string, string>;
  /** XiVO and level-stream subscriptions, by the same key as subs: how each leaves its hub. */
  side: Map<string, () => void>;
  /** The accounts whose tokens this connection has acted with (each counts it once). */
  actors: Set<string>;
  commands: number;
}

type Json = Record<string, unknown>;
type Reply = { status: 'success'; data?: unknown } | { status: 'error'; error: string; message: string; data?: unknown };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;
const fail = (status: number, message: string, data?: unknown): Reply => ({ status: 'error', error: String(status), message, data });

export class WebsocketApi {
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly perAccount = new Map<string, number>();
  private readonly pingTimer: NodeJS.Timeout;
  private readonly tokenTimer: NodeJS.Timeout;
  private recheckTimer: NodeJS.Timeout | null = null;
  private readonly limits: Limits;
  private cutCount = 0;

  constructor(private readonly server: Server, private readonly hub: EventHub, private readonly opts: WebsocketApiOptions) {
    const given = opts as Partial<Limits>;
    this.limits = { ...DEFAULTS };
    for (const k of Object.keys(DEFAULTS) as (keyof Limits)[]) this.limits[k] = given[k] ?? DEFAULTS[k];
    // No compression: permessage-deflate costs memory per socket and queues inside ws, where the
    // slow-consumer bound would not see it.
    this.wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: this.limits.maxMessageBytes });
    server.on('upgrade', this.onUpgrade);
    this.pingTimer = setInterval(() => this.keepalive(), this.limits.pingIntervalMs);
    this.pingTimer.unref();
    this.tokenTimer = setInterval(() => this.recheckTokens(), this.limits.tokenRecheckMs);
    this.tokenTimer.unref();
  }

  get connections(): number {
    return this.conns.size;
  }

  get slowConsumersCut(): number {
    return this.cutCount;
  }

  /** Bytes queued in this process towards all sockets (bounded by connections × maxBufferedBytes). */
  get bufferedBytes(): number {
    return [...this.conns].reduce((n, c) => n + c.ws.bufferedAmount, 0);
  }

  /** Stops accepting, closes every socket with 1001, and terminates those that do not finish in time. */
  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    clearInterval(this.tokenTimer);
    if (this.recheckTimer !== null) clearTimeout(this.recheckTimer);
    this.server.off('upgrade', this.onUpgrade); // so no socket is accepted from here on
    // drop() runs on each socket's 'close', so the set empties as the sockets finish.
    const all = Promise.all([...this.conns].map((c) => new Promise((resolve) => c.ws.once('close', resolve))));
    for (const c of this.conns) c.ws.close(1001, 'server shutting down');
    const timer = setTimeout(() => this.conns.forEach((c) => c.ws.terminate()), this.limits.closeGraceMs);
    await all;
    clearTimeout(timer);
    this.wss.close();
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WEBSOCKET_PATH) {
      // Another module may serve this path; answer only when nobody else listens, so the socket
      // is not left hanging.
      if (this.server.listenerCount('upgrade') === 1) reject(socket, 404, 'Not Found');
      return;
    }
    // handleUpgrade completes synchronously (no verifyClient), so the count cannot race.
    if (this.conns.size >= this.limits.maxConnections) return reject(socket, 503, 'Service Unavailable');
    const address = req.socket.remoteAddress ?? '';
    if ((this.perAddress.get(address) ?? 0) >= this.limits.maxConnectionsPerAddress) return reject(socket, 429, 'Too Many Requests');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, address));
  };

  private accept(ws: WebSocket, address: string): void {
    const { maxBufferedBytes, maxQueuedEvents: maxQueuedFrames, closeGraceMs } = this.limits;
    const sink = new SocketSink(ws, { maxBufferedBytes, maxQueuedFrames, closeGraceMs }, () => this.cut(conn));
    const conn: Connection = { ws, address, sink, subs: new Map(), side: new Map(), tokens: new Map(), actors: new Set(), commands: 0 };
    this.conns.add(conn);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    ws.on('message', (data, isBinary) => this.onMessage(conn, data, isBinary));
    ws.on('close', () => this.drop(conn));
    // ws reports protocol violations (oversized message → 1009, bad UTF-8 → 1007) here and closes
    // the socket itself. Not logged: the peer chooses how often that happens.
    ws.on('error', () => {});
  }

  private drop(conn: Connection): void {
    this.clearSubscriptions(conn);
    conn.tokens.clear();
    for (const actor of conn.actors) decrement(this.perAccount, actor);
    conn.actors.clear();
    if (this.conns.delete(conn)) {
      decrement(this.perAddress, conn.address);
    }
  }

  private clearSubscriptions(conn: Connection): void {
    for (const sub of conn.subs.values()) this.hub.remove(sub);
    for (const leave of conn.side.values()) leave();
    conn.subs.clear();
    conn.side.clear();
  }

  /** Ends one subscription of either family. */
  private unsubscribe(conn: Connection, key: string): void {
    const sub = conn.subs.get(key);
    if (sub) this.hub.remove(sub);
    conn.side.get(key)?.();
    conn.subs.delete(key);
    conn.side.delete(key);
    conn.tokens.delete(key);
  }

  /** recheckTokens() soon, once for a burst of revocations (a client logging in and out in a loop). */
  recheckTokensSoon(): void {
    if (this.recheckTimer !== null) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = null;
      this.recheckTokens();
    }, 50);
    this.recheckTimer.unref();
  }

  /**
   * Ends every subscription whose token no longer authenticates (expired, revoked, its key
   * rotated), telling the client which. Runs every tokenRecheckMs, and at once on revocation.
   */
  recheckTokens(): void {
    // Each distinct token is looked up once per pass, however many subscriptions it holds.
    const valid = new Map<string, boolean>();
    for (const conn of this.conns) {
      for (const [key, token] of conn.tokens) {
        let ok = valid.get(token);
        if (ok === undefined) valid.set(token, (ok = this.opts.authenticate(token) !== undefined));
        if (ok) continue;
        this.unsubscribe(conn, key);
        const at = key.indexOf(' ');
        const accountId = key.slice(0, at);
        const binding = key.slice(at + 1);
        conn.sink.send(JSON.stringify({ action: 'unsubscribed', reason: 'auth_token expired or revoked', data: { account_id: accountId, binding } }));
      }
    }
  }

  private cut(conn: Connection): void {
    this.cutCount++;
    this.opts.log?.warn({ subscriptions: conn.subs.size, bufferedBytes: conn.ws.bufferedAmount }, 'websocket slow consumer cut');
    this.clearSubscriptions(conn); // the sink closes the socket
    conn.tokens.clear();
  }

  private keepalive(): void {
    for (const conn of this.conns) conn.sink.keepalive();
  }

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    if (conn.sink.cut || conn.ws.readyState !== 1) return;
    let requestId: unknown;
    try {
      const msg = isBinary ? undefined : parseJson(data as Buffer); // binaryType nodebuffer: one Buffer
      if (!isObject(msg)) return this.reply(conn, undefined, fail(400, 'message must be a JSON object in a text frame'));
      const rid = msg.request_id;
      requestId = (typeof rid === 'string' && rid.length <= 256) || Number.isFinite(rid) ? rid : undefined;
      if (msg.action === 'subscribe' || msg.action === 'unsubscribe') this.onBinding(conn, msg, requestId);
      else if (msg.action === 'command') this.onCommand(conn, msg, requestId);
      else this.reply(conn, requestId, fail(400, 'unknown action'));
    } catch (err) {
      // A throwing callback must not take the process down from inside a socket read.
      this.opts.log?.warn({ err: err instanceof Error ? err.message : err }, 'websocket message handler failed');
      this.reply(conn, requestId, fail(500, 'internal error'));
    }
  }

  /** The actor's account, or undefined after replying 401/404. */
  private authorize(conn: Connection, msg: Json, requestId: unknown, accountId: string): string | undefined {
    const token = msg.auth_token;
    const actor = typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH ? this.opts.authenticate(token) : undefined;
    if (actor === undefined) return void this.reply(conn, requestId, fail(401, 'invalid credentials'));
    // 404, not 403: an account outside the actor's tree is not confirmed to exist.
    if (!this.opts.canAct(actor, accountId)) return void this.reply(conn, requestId, fail(404, 'account not found'));
    // One account cannot hold the server's connections: each connection it acts through counts.
    if (!conn.actors.has(actor)) {
      const held = this.perAccount.get(actor) ?? 0;
      const limit = this.limits.maxConnectionsPerAccount;
      if (held >= limit) return void this.reply(conn, requestId, fail(429, `too many websocket connections for this account (limit ${limit})`));
      this.perAccount.set(actor, held + 1);
      conn.actors.add(actor);
    }
    return actor;
  }

  private onBinding(conn: Connection, msg: Json, requestId: unknown): void {
    const data = msg.data;
    if (!isObject(data) || !isId(data.account_id)) return this.reply(conn, requestId, fail(400, 'data.account_id is required'));
    if (typeof data.binding === 'string' && data.binding.startsWith(XIVO_PREFIX)) return this.onXivoBinding(conn, msg, data, requestId);
    if (typeof data.binding === 'string' && data.binding.startsWith(LEVELS_PREFIX)) return this.onLevelsBinding(conn, msg, data, requestId);
    const binding = parseBinding(data.binding);
    if (!binding) return this.reply(conn, requestId, fail(400, 'data.binding must be conference.event.{conference_id|*}.{call_id|*}'));
    const accountId = data.account_id;
    if (this.authorize(conn, msg, requestId, accountId) === undefined) return;
    const key = accountId + ' ' + binding.key;
    const existing = conn.subs.get(key);
    if (msg.action === 'subscribe' && !existing) {
      if (conn.subs.size + conn.side.size >= this.limits.maxSubscriptions)
        return this.reply(conn, requestId, fail(400, `too many subscriptions (limit ${this.limits.maxSubscriptions})`));
      const sub = new Subscription(accountId, binding, conn.sink);
      conn.subs.set(key, sub);
      this.hub.add(sub);
    } else if (msg.action === 'unsubscribe' && existing) {
      conn.subs.delete(key);
      conn.tokens.delete(key);
      this.hub.remove(existing);
    }
    // The latest token given for a binding is the one it lives by.
    if (msg.action === 'subscribe') conn.tokens.set(key, msg.auth_token as string);
    // Subscribing twice and unsubscribing what is not subscribed succeed: the state is as asked.
    this.reply(conn, requestId, { status: 'success' });
  }

  /** `xivo.conference.{number}`, with `as_participant` for isMe: seed 002's messages for that conference. */
  private onXivoBinding(conn: Connection, msg: Json, data: Json, requestId: unknown): void {
    const xivo = this.opts.xivo;
    const number = (data.binding as string).slice(XIVO_PREFIX.length);
    const me = data.as_participant;
    if (!xivo) return this.reply(conn, requestId, fail(400, 'xivo bindings are not served here'));
    if (!isId(number) || !/^[\w.@+-]+$/.test(number)) return this.reply(conn, requestId, fail(400, 'data.binding must be xivo.conference.{number}'));
    if (me !== undefined && !(Number.isSafeInteger(me) && (me as number) > 0)) return this.reply(conn, requestId, fail(400, 'data.as_participant must be a participant id'));
    this.onSideBinding(conn, msg, data, requestId, (accountId) => {
      const sub = new XivoSubscription(accountId, number, me as number | undefined, conn.sink, xivo.snapshot(accountId, number));
      return [() => xivo.hub.add(sub), () => xivo.hub.remove(sub)];
    });
  }

  /** `conference.levels.{C}`: every member's current energy and talking flag, batched, at a bounded rate. */
  private onLevelsBinding(conn: Connection, msg: Json, data: Json, requestId: unknown): void {
    const levels = this.opts.levels;
    const conferenceId = (data.binding as string).slice(LEVELS_PREFIX.length);
    if (!levels) return this.reply(conn, requestId, fail(400, 'level streams are not served here'));
    if (!isId(conferenceId) || !/^[\w.@+-]+$/.test(conferenceId)) return this.reply(conn, requestId, fail(400, 'data.binding must be conference.levels.{conference_id}'));
    this.onSideBinding(conn, msg, data, requestId, (accountId) => {
      const sub = new LevelsSubscription(accountId, conferenceId, conn.sink);
      return [() => levels.add(sub), () => levels.remove(sub)];
    });
  }

  /** A XiVO or level-stream (un)subscription, its binding checked; `make` says how it joins and leaves its hub. */
  private onSideBinding(conn: Connection, msg: Json, data: Json, requestId: unknown, make: (accountId: string) => [() => void, () => void]): void {
    const accountId = data.account_id as string;
    if (this.authorize(conn, msg, requestId, accountId) === undefined) return;
    const key = accountId + ' ' + (data.binding as string);
    if (msg.action === 'unsubscribe') this.unsubscribe(conn, key);
    else if (!conn.side.has(key) && conn.subs.size + conn.side.size >= this.limits.maxSubscriptions)
      return this.reply(conn, requestId, fail(400, `too many subscriptions (limit ${this.limits.maxSubscriptions})`));
    else {
      const [join, leave] = make(accountId);
      conn.side.get(key)?.();
      conn.side.set(key, leave);
      conn.tokens.set(key, msg.auth_token as string);
      join();
    }
    this.reply(conn, requestId, { status: 'success' });
  }

  private onCommand(conn: Connection, msg: Json, requestId: unknown): void {
    const d = msg.data;
    const pid = isObject(d) ? d.participant_id : undefined;
    const pidOk = pid === undefined || (Number.isSafeInteger(pid) && (pid as number) >= 0);
    if (!isObject(d) || !isId(d.account_id) || !isId(d.conference_id) || !isId(d.command) || !pidOk)
      return this.reply(conn, requestId, fail(400, 'data needs account_id, conference_id, command and maybe participant_id (integer)'));
    const actor = this.authorize(conn, msg, requestId, d.account_id);
    if (actor === undefined) return;
    if (conn.commands >= this.limits.maxPendingCommands)
      return this.reply(conn, requestId, fail(429, `too many commands in flight (limit ${this.limits.maxPendingCommands})`));
    conn.commands++;
    const req = { accountId: d.account_id, conferenceId: d.conference_id, command: d.command, data: d.data ?? {} };
    Promise.resolve()
      .then(() => this.opts.runCommand(actor, pid === undefined ? req : { ...req, participantId: pid as number }))
      .then(
        (result) => this.reply(conn, requestId, { status: 'success', data: result ?? {} }),
        (err: unknown) => {
          const reply = this.commandError(err, d.command as string);
          this.reply(conn, requestId, reply);
          // XiVO clients learn of a refused command from an event of their own.
          const code = 'data' in reply && isObject(reply.data) && isObject(reply.data.as_participant) ? Object.keys(reply.data.as_participant)[0] : undefined;
          if (code && (XIVO_ERRORS as readonly string[]).includes(code)) conn.sink.send(commandError(code));
        },
      )
      .finally(() => conn.commands--);
  }

  /** Maps a runCommand error to a reply; anything without an HTTP status is a 500 that hides its details. */
  private commandError(err: unknown, command: string): Reply {
    const e = err as { status?: unknown; message?: unknown; data?: unknown } | null;
    const status = e?.status;
    if (Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599)
      return fail(status as number, typeof e?.message === 'string' ? e.message : 'error', e?.data);
    this.opts.log?.warn({ command, err: err instanceof Error ? err.message : err }, 'websocket command failed');
    return fail(500, 'internal error');
  }

  private reply(conn: Connection, requestId: unknown, body: Reply): void {
    let frame: string;
    try {
      frame = JSON.stringify({ action: 'reply', request_id: requestId, ...body });
    } catch {
      frame = JSON.stringify({ action: 'reply', request_id: requestId, ...fail(500, 'result is not serialisable') });
    }
    conn.sink.send(frame); // a reply the client does not read counts against it like an event
  }
}

function parseJson(text: Buffer): unknown {
  try {
    return JSON.parse(text.toString('utf8'));
  } catch {
    return undefined;
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.on('error', () => {}); // the peer may be gone already
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.once('finish', () => socket.destroy());
}
