// The SIP door: a user agent server beside the HTTP API, into the same conference service. An
// INVITE to a conference's number joins it (the caller's SDP offer, our answer in the 200); a
// BYE from either side ends the leg; OPTIONS answers trunk keepalives. Only sources in the
// allowed networks are taken. Parsing, transports and transactions are the `sip` package's.
import { randomBytes } from 'node:crypto';
import { inCidr, parseCidr, parseIp, type Cidr } from '../net/ipAddress.js';
import { RateLimitedError } from '../errors.js';
import type { ConferenceService } from '../service/ConferenceService.js';
import type { ConferenceEventOut } from '../service/EventSink.js';
import type { ConferenceDocument } from '../service/ServiceTypes.js';
import type { Logger } from '../util/logger.js';
import { inDialogRequest, type Dialog } from './Dialog.js';
import { sipStatusOf } from './sipErrors.js';
import { createSipStack, makeResponse, parseUri, stringifyUri, type Remote, type SipMessage, type SipStack } from './sipLibrary.js';

export interface SipDoorOptions {
  host: string;
  port: number;
  /** What goes in Contact and Via (the host as callers reach it). */
  publicAddress: string;
  udp: boolean;
  tcp: boolean;
  /** Networks whose calls are taken. */
  allow: readonly string[];
}

export interface SipDoorDeps {
  service: ConferenceService;
  /** The conference a dialled number (or `conference-{id}`) names, in whichever account holds it. */
  conferenceByNumber(number: string): { accountId: string; doc: ConferenceDocument } | undefined;
  log: Logger;
}

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO';
/** RFC 3261 timers: the 200 is sent again at T1, doubling up to T2, until the ACK or 64·T1. */
const T1 = 500;
const T2 = 4000;
const MAX_BYTES = 16 * 1024;

export class SipDoor {
  readonly #stack: SipStack;
  readonly #deps: SipDoorDeps;
  readonly #options: SipDoorOptions;
  readonly #allow: Cidr[];
  readonly #dialogs = new Map<string, Dialog>();
  /** Resolves once the SIP sockets listen; rejects when they cannot (a port in use). */
  readonly listening: Promise<void>;

  constructor(options: SipDoorOptions, deps: SipDoorDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#allow = options.allow.map((c) => parseCidr(c, 'sip-allow'));
    const started = createSipStack(
      {
        address: options.host,
        port: options.port,
        publicAddress: options.publicAddress,
        udp: options.udp,
        tcp: options.tcp,
        maxBytesHeaders: MAX_BYTES,
        maxContentLength: MAX_BYTES,
        logger: { error: (e) => deps.log.warn({ err: String(e) }, 'sip stack error') },
      },
      (rq, remote) => void this.#onRequest(rq, remote).catch((err) => deps.log.warn({ err: String(err), method: rq.method }, 'sip request failed')),
      (err) => deps.log.warn({ err: String(err) }, 'sip socket error'),
    );
    this.#stack = started.stack;
    this.listening = started.listening;
  }

  /** Calls in progress. */
  get dialogs(): number {
    return this.#dialogs.size;
  }

  /** A participant that came by SIP left by another way (kick, the conference's end, media timeout): BYE. */
  onEvent(e: ConferenceEventOut): void {
    if (e.name !== 'del-member') return;
    const d = this.#dialogs.get(e.callId);
    if (!d || d.accountId !== e.accountId || d.conferenceId !== e.conferenceId) return;
    this.#forget(d);
    if (d.ended) return;
    d.ended = true;
    this.#stack.send(inDialogRequest(d, 'BYE'), () => {});
  }

  close(): void {
    for (const d of [...this.#dialogs.values()]) {
      this.#forget(d);
      if (!d.ended) this.#stack.send(inDialogRequest(d, 'BYE'), () => {});
    }
    this.#stack.destroy();
  }

  async #onRequest(rq: SipMessage, remote: Remote): Promise<void> {
    if (!this.#allowed(remote)) {
      if (rq.method !== 'ACK') this.#stack.send(makeResponse(rq, 403, 'Forbidden'));
      return;
    }
    switch (rq.method) {
      case 'OPTIONS':
        return this.#respond(rq, 200, 'OK', { allow: ALLOW, accept: 'application/sdp' });
      case 'INVITE':
        return rq.headers.to.params?.tag ? this.#reinvite(rq) : this.#invite(rq, remote);
      case 'ACK':
        return this.#ack(rq);
      case 'BYE':
        return this.#bye(rq);
      case 'CANCEL':
        // Every INVITE is answered at once, so there is nothing left to cancel.
        return this.#respond(rq, 481, 'Call/Transaction Does Not Exist');
      case 'INFO':
        // Within a call it is taken (its DTMF is not read yet); outside one there is no dialog.
        if (this.#dialogs.has(rq.headers['call-id'])) return this.#respond(rq, 200, 'OK');
        return this.#respond(rq, 481, 'Call/Transaction Does Not Exist');
      default:
        return this.#respond(rq, 405, 'Method Not Allowed', { allow: ALLOW });
    }
  }

  async #invite(rq: SipMessage, remote: Remote): Promise<void> {
    const callId = rq.headers['call-id'];
    if (this.#dialogs.has(callId)) return; // a retransmission: the transaction layer answers it
    const user = parseUri(rq.uri ?? '')?.user;
    let number: string | undefined;
    try {
      number = user === undefined ? undefined : decodeURIComponent(user);
    } catch {
      return this.#respond(rq, 400, 'Bad Request');
    }
    const target = number === undefined || number.length > 64 ? undefined : this.#deps.conferenceByNumber(number);
    if (!target) return this.#respond(rq, 404, 'Not Found');
    this.#respond(rq, 100, 'Trying');
    const from = rq.headers.from;
    const fromUri = parseUri(from.uri);
    const sdp = typeof rq.content === 'string' && rq.content.length > 0 ? rq.content : undefined;
    let joined;
    try {
      joined = await this.#deps.service.join(target.accountId, target.doc, {
        sdp,
        call_id: callId.slice(0, 128),
        caller_id_name: (from.name ?? '').replace(/^"|"$/g, '').slice(0, 128),
        caller_id_number: (fromUri?.user ?? '').slice(0, 64),
      });
    } catch (err) {
      const [status, reason] = sipStatusOf(err);
      const extra: Record<string, string> = err instanceof RateLimitedError ? { 'retry-after': String(err.retryAfterSeconds) } : {};
      return this.#respond(rq, status, reason, extra);
    }
    const local = { ...rq.headers.to, params: { ...rq.headers.to.params, tag: randomBytes(6).toString('hex') } };
    const answer = makeResponse(rq, 200, 'OK');
    answer.headers.to = local;
    answer.headers.contact = [{ uri: this.#contact(), params: {} }];
    answer.headers['content-type'] = 'application/sdp';
    answer.content = joined.sdp ?? '';
    const d: Dialog = {
      callId,
      local,
      remote: from,
      target: rq.headers.contact?.[0]?.uri ?? from.uri,
      route: stringifyUri(this.#stack.encodeFlowUri(remote)),
      accountId: target.accountId,
      conferenceId: target.doc.id,
      participantId: joined.participant_id,
      localSeq: 0,
      answer,
      acked: false,
      ended: false,
      retransmit: undefined,
    };
    this.#dialogs.set(callId, d);
    this.#stack.send(answer);
    this.#retransmit(d, T1, 0);
  }

  /** A re-INVITE: hold, unhold or a new media address, answered by the participant's reoffer. */
  async #reinvite(rq: SipMessage): Promise<void> {
    const d = this.#dialogs.get(rq.headers['call-id']);
    if (!d) return this.#respond(rq, 481, 'Call/Transaction Does Not Exist');
    try {
      const sdp = typeof rq.content === 'string' && rq.content.length > 0 ? rq.content : undefined;
      const result = sdp ? await this.#deps.service.reoffer(d.accountId, d.conferenceId, d.participantId, sdp) : { sdp: d.answer.content ?? '' };
      const ok = makeResponse(rq, 200, 'OK');
      ok.headers.contact = [{ uri: this.#contact(), params: {} }];
      ok.headers['content-type'] = 'application/sdp';
      ok.content = result.sdp;
      this.#stack.send(ok);
    } catch (err) {
      const [status, reason] = sipStatusOf(err);
      this.#respond(rq, status, reason);
    }
  }

  #ack(rq: SipMessage): void {
    const d = this.#dialogs.get(rq.headers['call-id']);
    if (!d) return;
    d.acked = true;
    if (d.retransmit) clearTimeout(d.retransmit);
    d.retransmit = undefined;
  }

  async #bye(rq: SipMessage): Promise<void> {
    const d = this.#dialogs.get(rq.headers['call-id']);
    if (!d) return this.#respond(rq, 481, 'Call/Transaction Does Not Exist');
    d.ended = true;
    this.#forget(d);
    this.#respond(rq, 200, 'OK');
    await this.#deps.service.kick(d.accountId, d.conferenceId, d.participantId).catch(() => {});
  }

  /** The 200 again at T1, 2·T1, … up to T2 apart, until the ACK; without one after 64·T1 the call ends. */
  #retransmit(d: Dialog, interval: number, elapsed: number): void {
    d.retransmit = setTimeout(() => {
      if (d.acked || d.ended) return;
      if (elapsed + interval >= 64 * T1) {
        d.ended = true;
        this.#forget(d);
        this.#stack.send(inDialogRequest(d, 'BYE'), () => {});
        void this.#deps.service.kick(d.accountId, d.conferenceId, d.participantId).catch(() => {});
        return;
      }
      this.#stack.send(d.answer);
      this.#retransmit(d, Math.min(interval * 2, T2), elapsed + interval);
    }, interval);
    d.retransmit.unref();
  }

  #forget(d: Dialog): void {
    if (d.retransmit) clearTimeout(d.retransmit);
    d.retransmit = undefined;
    if (this.#dialogs.get(d.callId) === d) this.#dialogs.delete(d.callId);
  }

  #respond(rq: SipMessage, status: number, reason: string, headers: Record<string, string> = {}): void {
    const r = makeResponse(rq, status, reason);
    Object.assign(r.headers, headers);
    this.#stack.send(r);
  }

  #contact(): string {
    return `sip:roomtone@${this.#options.publicAddress}:${this.#options.port}`;
  }

  #allowed(remote: Remote): boolean {
    const ip = parseIp(remote.address);
    return ip !== null && this.#allow.some((net) => inCidr(ip, net));
  }
}
