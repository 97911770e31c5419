// The SIP door: a user agent beside the HTTP API, into the same conference service. Callers dial
// in (InboundCalls), the conference calls out (Dialer), and requests within a call go to
// InDialogRequests. Here: the stack, what is taken from the wire (screened, counted, limited
// per source), which networks may call, and the BYE when a participant leaves by another way.
// Parsing, transports and transactions are the `sip` package's.
import { randomBytes } from 'node:crypto';
import { inCidr, parseCidr, parseIp, type Cidr } from '../net/ipAddress.js';
import { RateLimitedError } from '../errors.js';
import type { LeaveReason } from '../conference/ConferenceEvent.js';
import type { ConferenceService } from '../service/ConferenceService.js';
import type { Logger } from '../util/logger.js';
import { RateLimiter } from '../util/RateLimiter.js';
import { inDialogRequest, type Dialog } from './Dialog.js';
import { Dialer, type DialerOptions } from './Dialer.js';
import { Dialogs } from './Dialogs.js';
import { InboundCalls, type DialledConference } from './InboundCalls.js';
import { InDialogRequests } from './InDialogRequests.js';
import { screenMessage } from './screenMessage.js';
import { ALLOW, leave, SUPPORTED, type SipContext } from './SipContext.js';
import { SipCounters, type SipStats } from './SipCounters.js';
import { createSipStack, makeResponse, type Remote, type SipMessage, type SipStack } from './sipLibrary.js';

export interface SipDoorOptions extends DialerOptions {
  host: string;
  port: number;
  /** What goes in Contact and Via (the host as callers reach it). */
  publicAddress: string;
  udp: boolean;
  tcp: boolean;
  /** Networks whose calls are taken without credentials. */
  allow: readonly string[];
  /** New calls per second from one source before 503. */
  invitesPerSecond: number;
  /** Digest algorithms offered, preferred first. */
  digestAlgorithms: readonly ('SHA-256' | 'MD5')[];
}

export interface SipDoorDeps {
  service: ConferenceService;
  /** The conference a dialled number (or `conference-{id}`) names, in whichever account holds it, and the role it gives. */
  conferenceByNumber(number: string): DialledConference | undefined;
  log: Logger;
}

const MAX_BYTES = 16 * 1024;
const METHODS = new Set(ALLOW.split(', '));
/** Messages of any kind per second from one source (a burst of twice that) before they are dropped. */
const MESSAGES_PER_SECOND = 500;

export class SipDoor {
  readonly #stack: SipStack;
  readonly #allow: Cidr[];
  readonly #dialogs = new Dialogs();
  readonly #counters: SipCounters;
  readonly #ctx: SipContext;
  readonly #inbound: InboundCalls;
  readonly #inDialog: InDialogRequests;
  readonly dialer: Dialer;
  readonly #invites: RateLimiter;
  readonly #messages = new RateLimiter('SIP messages', { perSecond: MESSAGES_PER_SECOND, burst: MESSAGES_PER_SECOND * 2, maxKeys: 10_000 });
  /** Resolves once the SIP sockets listen; rejects when they cannot (a port in use). */
  readonly listening: Promise<void>;

  constructor(options: SipDoorOptions, deps: SipDoorDeps) {
    this.#allow = options.allow.map((c) => parseCidr(c, 'sip-allow'));
    this.#invites = new RateLimiter('SIP calls from this source', { perSecond: options.invitesPerSecond, burst: options.invitesPerSecond * 2, maxKeys: 10_000 });
    const counters = (this.#counters = new SipCounters(deps.log));
    const started = createSipStack(
      {
        address: options.host,
        port: options.port,
        publicAddress: options.publicAddress,
        udp: options.udp,
        tcp: options.tcp,
        maxBytesHeaders: MAX_BYTES,
        maxContentLength: MAX_BYTES,
        logger: { error: (e) => deps.log.warn({ err: String(e) }, 'sip stack error'), recv: (m) => counters.received(m), send: (m) => counters.sent(m) },
      },
      (rq, remote) => void this.#onRequest(rq, remote).catch((err) => deps.log.warn({ err: String(err), method: rq.method }, 'sip request failed')),
      (err) => deps.log.warn({ err: String(err) }, 'sip socket error'),
      (data, from) => this.#screen(data, from.address),
      (_err, from) => counters.drop('handler_threw', from.address),
    );
    this.#stack = started.stack;
    this.listening = started.listening;
    const ctx: SipContext = (this.#ctx = {
      stack: this.#stack,
      dialogs: this.#dialogs,
      counters,
      service: deps.service,
      log: deps.log,
      contact: () => `sip:roomtone@${options.publicAddress}:${options.port}`,
      respond: (rq, status, reason, headers = {}, content) => {
        const r = makeResponse(rq, status, reason);
        r.version = '2.0';
        // RFC 3261 §8.2.6.2: a response other than 100 carries our To tag (the package adds none).
        if (status > 100 && !r.headers.to.params?.tag) r.headers.to = { ...r.headers.to, params: { ...r.headers.to.params, tag: randomBytes(6).toString('hex') } };
        Object.assign(r.headers, headers);
        if (content !== undefined) r.content = content;
        this.#stack.send(r);
      },
      send: (rq, onResponse) =>
        this.#stack.send(rq, (rs) => {
          if ((rs.status ?? 0) >= 200) counters.clientFinished(rq);
          onResponse?.(rs);
        }),
      hangUp: (d) => this.#hangUp(d),
    });
    this.#inDialog = new InDialogRequests(ctx);
    this.#inbound = new InboundCalls(ctx, this.#inDialog, deps.conferenceByNumber, options.digestAlgorithms);
    this.dialer = new Dialer(ctx, this.#inDialog, options);
  }

  stats(): SipStats {
    return this.#counters.stats(this.#dialogs.size + this.dialer.ringing);
  }

  /** A participant left (kick, media timeout, a wrong PIN, the conference's end): its call gets our BYE. */
  participantGone(accountId: string, conferenceId: string, participantId: number, _reason: LeaveReason): void {
    this.dialer.participantGone(accountId, conferenceId, participantId);
    const d = this.#dialogs.ofParticipant(accountId, conferenceId, participantId);
    if (d && !d.ended) this.#hangUp(d);
  }

  close(): void {
    this.dialer.close();
    for (const d of this.#dialogs.all()) if (!d.ended) this.#hangUp(d);
    this.#stack.destroy();
  }

  #hangUp(d: Dialog): void {
    this.#dialogs.remove(d);
    if (d.ended) return;
    d.ended = true;
    this.#ctx.send(inDialogRequest(d, 'BYE'));
    leave(this.#ctx, d, 'removed');
  }

  /** Whether a datagram goes on to the stack; what does not is counted by reason. */
  #screen(data: Buffer, from: string): boolean {
    let reason = screenMessage(data, MAX_BYTES);
    if (!reason) {
      try {
        this.#messages.take(from);
      } catch {
        reason = 'flood';
      }
    }
    if (!reason) return true;
    this.#counters.drop(reason, from);
    return false;
  }

  async #onRequest(rq: SipMessage, remote: Remote): Promise<void> {
    if (rq.version !== '2.0') return rq.method === 'ACK' ? undefined : this.#respond(rq, 505, 'Version Not Supported');
    const trusted = this.#allowed(remote);
    const method = rq.method!;
    const inDialog = Boolean(rq.headers.to.params?.tag);
    if (method === 'INVITE' && !inDialog) {
      try {
        this.#invites.take(remote.address);
      } catch (err) {
        const after = err instanceof RateLimitedError ? err.retryAfterSeconds : 1;
        return this.#respond(rq, 503, 'Service Unavailable', { 'retry-after': String(after) });
      }
      return this.#inbound.invite(rq, remote, trusted);
    }
    if (method === 'CANCEL') return this.#inbound.cancel(rq);
    if (!inDialog) {
      if (method === 'ACK') return this.#counters.drop('stray_ack', remote.address);
      if (!trusted) return this.#respond(rq, 403, 'Forbidden');
      if (method === 'OPTIONS') return this.#respond(rq, 200, 'OK', { allow: ALLOW, accept: 'application/sdp', supported: SUPPORTED });
      if (METHODS.has(method)) return this.#respond(rq, 481, 'Call/Transaction Does Not Exist');
      return this.#respond(rq, 405, 'Method Not Allowed', { allow: ALLOW });
    }
    // Within a call: the dialog's tags are the credentials (a guessed Call-ID alone gets 481).
    const d = this.#inDialog.dialogOf(rq);
    if (!d) return;
    switch (method) {
      case 'ACK':
        return this.#inDialog.ack(d);
      case 'INVITE':
      case 'UPDATE':
        return this.#inDialog.reoffer(d, rq);
      case 'INFO':
        return this.#inDialog.info(d, rq);
      case 'BYE':
        return this.#inDialog.bye(d, rq);
      case 'OPTIONS':
        return this.#respond(rq, 200, 'OK', { allow: ALLOW, supported: SUPPORTED });
      default:
        return this.#respond(rq, 405, 'Method Not Allowed', { allow: ALLOW });
    }
  }

  #respond(rq: SipMessage, status: number, reason: string, headers: Record<string, string> = {}): void {
    this.#ctx.respond(rq, status, reason, headers);
  }

  #allowed(remote: Remote): boolean {
    const ip = parseIp(remote.address);
    return ip !== null && this.#allow.some((net) => inCidr(ip, net));
  }
}
