import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { accountFor, authFailureLimits, conferenceFor, type App } from '../api/App.js';
import { errorData } from '../api/http/envelope.js';
import { createHttpApi } from '../api/http/httpApi.js';
import { HTTP_STATUS } from '../api/http/httpStatus.js';
import { Metrics } from '../api/metrics/Metrics.js';
import { EventHub } from '../api/ws/EventHub.js';
import { XivoHub } from '../api/ws/xivo/XivoHub.js';
import { numbersOf, roleOfNumber } from '../service/conferenceOptions.js';
import { WebsocketApi, type CommandRequest } from '../api/ws/WebsocketApi.js';
import { Engine } from '../engine/Engine.js';
import { MediaStore } from '../media/store/MediaStore.js';
import { InvalidStateError, RoomtoneError } from '../errors.js';
import { SipDoor } from '../sip/SipDoor.js';
import { LevelsHub } from '../api/ws/levels/LevelsHub.js';
import type { DialledConference } from '../sip/InboundCalls.js';
import { applyControl } from '../service/applyControl.js';
import { EventFilter } from '../service/eventFilter.js';
import { runCommand, targetOf } from '../service/commands/commands.js';
import { ConferenceService } from '../service/ConferenceService.js';
import { StatusCallbacks } from '../service/statusCallbacks/StatusCallbacks.js';
import { Store } from '../store/Store.js';
import { Tokens } from '../store/Tokens.js';
import type { Logger } from '../util/logger.js';
import { RateLimiter } from '../util/RateLimiter.js';
import { ConnectionGuard } from './ConnectionGuard.js';
import { setSecurityHeaders } from './securityHeaders.js';
import type { ServerConfig } from './ServerConfig.js';

/** The conference server: HTTP and websocket API over the engine, with SQLite documents. */
export class Server {
  readonly app: App;
  readonly #http: HttpServer;
  readonly #ws: WebsocketApi;
  readonly #callbacks: StatusCallbacks;
  readonly #sip: SipDoor | undefined;
  #closing: Promise<void> | undefined;

  private constructor(app: App, http: HttpServer, ws: WebsocketApi, callbacks: StatusCallbacks, sip: SipDoor | undefined) {
    this.app = app;
    this.#http = http;
    this.#ws = ws;
    this.#callbacks = callbacks;
    this.#sip = sip;
  }

  static async start(config: ServerConfig, log: Logger = pino({ level: config.logLevel })): Promise<Server> {
    const store = Store.open(config.dataDir);
    ensureMaster(store, config, log);
    // Listening comes first: the media plane must know our HTTP port (never a media destination)
    // when it starts, and with port 0 only the bound socket knows it. Requests before the API is
    // ready get 503.
    let api: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
    const tls = config.tls !== undefined;
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      setSecurityHeaders(res, tls);
      if (api) api(req, res);
      else notReady(res);
    };
    // Node closes a connection whose request head is incomplete after headersTimeout, checked
    // every connectionsCheckingInterval (30 s by default); the guard closes one that sent nothing.
    const options = { connectionsCheckingInterval: 1000 };
    const http: HttpServer = config.tls ? createHttpsServer({ ...options, ...config.tls }, handler) : createServer(options, handler);
    http.requestTimeout = 30_000;
    http.headersTimeout = config.limits.headersTimeoutMs;
    http.maxConnections = 10_000;
    new ConnectionGuard(http, { perAddress: config.limits.httpConnectionsPerAddress, firstByteMs: config.limits.headersTimeoutMs });
    try {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.httpPort, config.httpHost, () => resolve());
      });
    } catch (err) {
      store.close();
      throw err;
    }
    const httpPort = (http.address() as AddressInfo).port;
    const engine = new Engine({
      workers: config.workers,
      media: {
        advertisedAddress: config.rtpIp,
        bindAddress: config.rtpIp,
        ports: config.rtpPorts,
        reservedPorts: [{ port: httpPort, use: 'HTTP' }],
        ...config.media,
      },
    });
    const { quotas } = config;
    const mediaStore = new MediaStore(store, config.dataDir, {
      fetchAllow: config.fetchAllow,
      maxItemsPerAccount: quotas.mediaItems,
      maxBytesPerAccount: quotas.mediaBytes,
    });
    const hub = new EventHub();
    const events = new EventFilter((accountId) => {
      const list = store.named('account_settings', accountId, 'settings')?.publish_participant_event;
      return Array.isArray(list) ? (list as string[]) : undefined;
    });
    const xivo = new XivoHub();
    const scheme = config.tls ? 'https' : 'http';
    const publicUrl = config.publicUrl ?? `${scheme}://${config.httpHost.includes(':') ? `[${config.httpHost}]` : config.httpHost}:${httpPort}`;
    const callbacks = new StatusCallbacks({ log, fetchAllow: config.fetchAllow, publicUrl });
    const adhoc = new Map();
    const service = new ConferenceService(
      engine,
      (e) => {
        if (events.publishes(e)) {
          hub.publish(e);
          xivo.publish(e);
        }
        if (e.doc) callbacks.notify(e.doc, e);
        if (e.name === 'conference-destroy' && adhoc.delete(`${e.accountId}/${e.conferenceId}`)) {
          service.forget(e.accountId, e.conferenceId);
        }
      },
      log,
      config.dataDir,
      (accountId, media) => mediaStore.resolve(accountId, media),
      {
        participantsPerAccount: quotas.participants,
        joinsPerSecond: config.limits.joinsPerConference,
        named: (kind, accountId, name) => store.named(kind, accountId, name),
      },
    );
    service.memberDigit = (accountId, conferenceId, member, digit) => applyControl(service, accountId, conferenceId, member, digit);
    const { limits } = config;
    const app: App = {
      store,
      tokens: new Tokens({ store }),
      engine,
      service,
      metrics: new Metrics(engine),
      media: mediaStore,
      log,
      adhoc,
      events,
      authFailures: authFailureLimits(limits.authFailuresPerMinute),
      // Bursts of ten seconds' worth: a client that lists, reads and acts at once is not held back.
      requestsPerToken: new RateLimiter('requests with this auth token', { perSecond: limits.requestsPerToken, burst: limits.requestsPerToken * 10 }),
      quotas: { conferences: quotas.conferences, documentBytes: quotas.documentBytes },
    };
    const ws = new WebsocketApi(http, hub, {
      authenticate: (token) => app.tokens.accountOf(token),
      canAct: (actor, account) => store.canActOn(actor, account),
      runCommand: (actor, req) => websocketCommand(app, actor, req),
      xivo: { hub: xivo, snapshot: (accountId, number) => conferenceByNumber(app, accountId, number) },
      levels: new LevelsHub(async (accountId, conferenceId) => service.live(accountId, conferenceId)?.levels(), config.limits.levelsPerSecond),
      log,
      maxConnectionsPerAddress: config.limits.wsConnectionsPerAddress,
      maxConnectionsPerAccount: config.limits.wsConnectionsPerAccount,
    });
    app.tokens.onRevoked(() => ws.recheckTokensSoon());
    // fastify hands over its handler when it is created; requests reach it once it is ready.
    let ready: typeof api;
    await createHttpApi(app, { server: http, attach: (h) => (ready = h) });
    const sip = config.sip
      ? new SipDoor(config.sip, { service, log, conferenceByNumber: (number) => conferenceByDialledNumber(store, number) })
      : undefined;
    if (sip) {
      service.participantGone = (accountId, conferenceId, participantId, reason) => sip.participantGone(accountId, conferenceId, participantId, reason);
      service.dialer = sip.dialer;
      app.metrics.sip = () => sip.stats();
    }
    try {
      await sip?.listening;
    } catch (err) {
      sip?.close();
      await engine.close();
      store.close();
      http.close();
      throw new InvalidStateError(`SIP cannot listen on ${config.sip!.host}:${config.sip!.port} (${(err as Error).message}); --sip-port 0 turns SIP off`);
    }
    // Served only once every door listens: a server that cannot take SIP never answers health.
    api = ready;
    const server = new Server(app, http, ws, callbacks, sip);
    log.info({ url: server.url, dataDir: config.dataDir, workers: config.workers, rtpPorts: config.rtpPorts }, 'roomtone listening');
    return server;
  }

  get url(): string {
    const a = this.#http.address() as AddressInfo;
    return `${this.#http instanceof HttpsServer ? 'https' : 'http'}://${a.address}:${a.port}`;
  }

  /** Graceful: stop accepting, end conferences (participants get RTCP BYE), send the last callbacks, flush the database. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.app.log.info({}, 'shutting down');
      const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
      this.#http.closeIdleConnections();
      await this.#ws.close();
      this.#sip?.close();
      await this.app.service.shutdown();
      await this.#callbacks.close();
      await this.app.engine.close();
      this.app.store.close();
      this.#http.closeAllConnections();
      await closed;
      this.app.log.info({}, 'stopped');
    })();
    return this.#closing;
  }
}

function notReady(res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end(JSON.stringify({ status: 'error', error: '503', message: 'the server is starting', data: {} }));
}

/** The master account: created on first start, with ROOMTONE_MASTER_API_KEY or a generated key printed once. */
function ensureMaster(store: Store, config: ServerConfig, log: Logger): void {
  const master = store.master();
  if (!master) {
    const { account, apiKey } = store.createAccount('master', null, config.masterApiKey);
    if (!config.masterApiKey) {
      process.stdout.write(`\nroomtone master account ${account.id}\nmaster API key (shown once, store it now): ${apiKey}\n\n`);
    }
    log.info({ accountId: account.id }, 'master account created');
    return;
  }
  if (config.masterApiKey && store.accountByApiKey(config.masterApiKey)?.id !== master.id) {
    store.setApiKey(master.id, config.masterApiKey);
    log.info({ accountId: master.id }, 'master API key replaced from ROOMTONE_MASTER_API_KEY');
  }
}

/** The conference a SIP caller dialled: by one of its numbers, or `conference-{id}`, in any account. */
function conferenceByDialledNumber(store: Store, number: string): DialledConference | undefined {
  const found = number.startsWith('conference-')
    ? store.conferenceAnywhere(number.slice('conference-'.length))
    : store.conferencesMentioning(number).find(({ doc }) => numbersOf(doc.id, doc).includes(number));
  return found && { ...found, role: roleOfNumber(found.doc, number) };
}

/** Who is in the account's conference that answers to `number` now (for a XiVO subscriber's roster). */
function conferenceByNumber(app: App, accountId: string, number: string): Record<string, unknown>[] {
  const docs = [...app.store.listConferences(accountId), ...[...app.adhoc.entries()].filter(([k]) => k.startsWith(`${accountId}/`)).map(([, d]) => d)];
  const doc = docs.find((d) => d.id === number || numbersOf(d.id, d).includes(number));
  return (doc && app.service.live(accountId, doc.id)?.participantsNow()) ?? [];
}

/** Websocket commands go through the same command table as REST. */
async function websocketCommand(app: App, actorId: string, req: CommandRequest): Promise<unknown> {
  try {
    const accountId = accountFor(app, actorId, req.accountId);
    const doc = conferenceFor(app, accountId, req.conferenceId);
    const target = targetOf(req.command, req.participantId);
    return await runCommand(target, req.command, { service: app.service, accountId, doc, participantId: req.participantId }, req.data);
  } catch (err) {
    if (!(err instanceof RoomtoneError)) throw err;
    throw { status: HTTP_STATUS[err.code], message: err.message, data: errorData(err) };
  }
}
