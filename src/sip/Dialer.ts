// Dial-out: the conference calls an endpoint (Kazoo's `dial`, XiVO's `invite`). The leg is a
// participant with our SDP offer from the start, connected apart from everyone; the callee's
// answer makes it a member (add-member). Progress is published as dial-ringing, dial-answered
// and dial-failed. `timeout` cancels an unanswered call; a 401 or 407 is answered once with the
// outbound credentials. Only networks in --sip-dial-allow are called.
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { InvalidArgumentError, RateLimitedError } from '../errors.js';
import { inCidr, parseCidr, parseIp, type Cidr } from '../net/ipAddress.js';
import type { DialRequest, OutboundDialer } from '../service/dialing.js';
import { inDialogRequest, type Dialog } from './Dialog.js';
import { answerChallenge, pickChallenge } from './digest.js';
import type { InDialogRequests } from './InDialogRequests.js';
import { ALLOW, leave, SUPPORTED, type SipContext } from './SipContext.js';
import { parseUri, stringifyUri, type NameAddr, type SipMessage } from './sipLibrary.js';
import { sessionTimerOf } from './sessionTimer.js';

export interface DialerOptions {
  publicAddress: string;
  port: number;
  /** host:port that numbers are sent to. */
  outboundProxy: string | undefined;
  outboundUsername: string | undefined;
  outboundPassword: string | undefined;
  dialAllow: readonly string[];
}

interface Leg {
  req: DialRequest;
  invite: SipMessage;
  participantId: number;
  route: string;
  authTried: boolean;
  early: boolean;
  ringing: boolean;
  answered: boolean;
  done: boolean;
  timer: NodeJS.Timeout | undefined;
}

/** The most legs ringing at once, and for one account: an account cannot make roomtone a call generator, nor take every place. */
const MAX_RINGING = 200;
const MAX_RINGING_PER_ACCOUNT = 20;
const NUMBER = /^\+?[0-9*#]{1,32}$/;

export class Dialer implements OutboundDialer {
  readonly #ctx: SipContext;
  readonly #inDialog: InDialogRequests;
  readonly #o: DialerOptions;
  readonly #allow: Cidr[];
  readonly #legs = new Map<string, Leg>();

  constructor(ctx: SipContext, inDialog: InDialogRequests, o: DialerOptions) {
    this.#ctx = ctx;
    this.#inDialog = inDialog;
    this.#o = o;
    this.#allow = o.dialAllow.map((c) => parseCidr(c, 'sip-dial-allow'));
  }

  /** Calls being placed (not answered yet). */
  get ringing(): number {
    return this.#legs.size;
  }

  check(endpoint: string): void {
    this.#destination(endpoint);
  }

  async dial(req: DialRequest): Promise<void> {
    if (this.#legs.size >= MAX_RINGING) throw new RateLimitedError(`calls being placed (${MAX_RINGING} at once)`, 5);
    const mine = [...this.#legs.values()].filter((l) => l.req.accountId === req.accountId).length;
    if (mine >= MAX_RINGING_PER_ACCOUNT) throw new RateLimitedError(`calls this account places at once (${MAX_RINGING_PER_ACCOUNT})`, 5);
    const { uri, host, port } = this.#destination(req.endpoint);
    const address = isIP(host) ? host : (await lookup(host, { family: 4 }).catch(() => undefined))?.address;
    const ip = address === undefined ? null : parseIp(address);
    if (!ip || !this.#allow.some((net) => inCidr(ip, net))) throw new InvalidArgumentError('endpoints', `${req.endpoint} is not in a network roomtone may call (--sip-dial-allow)`);
    const joined = await this.#ctx.service.join(req.accountId, req.doc, { ...req.join, pin_checked: true }, { admitLater: true });
    const route = stringifyUri(this.#ctx.stack.encodeFlowUri({ protocol: 'UDP', address: address!, port, local: { address: this.#o.publicAddress, port: this.#o.port } }));
    const from: NameAddr = {
      ...(req.callerIdName && { name: `"${req.callerIdName.replace(/["\\\r\n]/g, '')}"` }),
      uri: `sip:${encodeURIComponent(req.callerIdNumber || 'roomtone')}@${this.#o.publicAddress}`,
      params: { tag: randomBytes(6).toString('hex') },
    };
    const invite: SipMessage = {
      method: 'INVITE',
      uri,
      version: '2.0',
      headers: {
        to: { uri, params: {} },
        from,
        'call-id': req.join.call_id,
        cseq: { method: 'INVITE', seq: 1 },
        via: [],
        route: [{ uri: route, params: {} }],
        contact: [{ uri: this.#ctx.contact(), params: {} }],
        'max-forwards': 70,
        allow: ALLOW,
        supported: SUPPORTED,
        'content-type': 'application/sdp',
        ...req.headers,
      },
      content: joined.sdp ?? '',
    };
    const leg: Leg = { req, invite, participantId: joined.participant_id, route, authTried: false, early: false, ringing: false, answered: false, done: false, timer: undefined };
    this.#legs.set(req.join.call_id, leg);
    leg.timer = setTimeout(() => this.#cancel(leg), req.timeoutSeconds * 1000);
    leg.timer.unref();
    this.#send(leg);
  }

  /** The leg's participant left before the answer (a kick while ringing): the call is cancelled. */
  participantGone(accountId: string, conferenceId: string, participantId: number): void {
    for (const leg of this.#legs.values()) {
      if (leg.req.accountId === accountId && leg.req.doc.id === conferenceId && leg.participantId === participantId) this.#cancel(leg, false);
    }
  }

  close(): void {
    for (const leg of this.#legs.values()) this.#cancel(leg, false);
  }

  /** Where an endpoint is called: a SIP URI directly, a number through the outbound proxy. */
  #destination(endpoint: string): { uri: string; host: string; port: number } {
    if (/^sips?:/i.test(endpoint)) {
      const u = parseUri(endpoint);
      if (!u || !u.host || /^sips:/i.test(endpoint)) throw new InvalidArgumentError('endpoints', `${endpoint} is not a sip:user@host[:port] URI roomtone can call`);
      // A system port is some other service's: an INVITE must not be aimed at it.
      if (u.port !== undefined && u.port < 1024) throw new InvalidArgumentError('endpoints', `${endpoint}: port ${u.port} is below 1024, not a SIP port roomtone calls`);
      return { uri: stringifyUri({ schema: 'sip', user: u.user, host: u.host, port: u.port, params: {} }), host: u.host, port: u.port ?? 5060 };
    }
    if (NUMBER.test(endpoint)) {
      const proxy = this.#o.outboundProxy;
      if (!proxy) throw new InvalidArgumentError('endpoints', `${endpoint} is a number, and no --sip-outbound-proxy is set to call numbers through`);
      const at = proxy.lastIndexOf(':');
      const host = proxy.slice(0, at).replace(/^\[|\]$/g, '');
      return { uri: `sip:${endpoint}@${proxy}`, host, port: Number(proxy.slice(at + 1)) };
    }
    throw new InvalidArgumentError('endpoints', `${endpoint} is neither a SIP URI nor a number (roomtone has no device or user directory)`);
  }

  #send(leg: Leg): void {
    leg.invite.headers.via = [];
    this.#ctx.send(leg.invite, (rs) => void this.#onResponse(leg, rs).catch((err) => this.#ctx.log.warn({ err: String(err), callId: leg.req.join.call_id }, 'dial-out failed')));
  }

  async #onResponse(leg: Leg, rs: SipMessage): Promise<void> {
    const status = rs.status ?? 0;
    const { accountId, doc } = leg.req;
    const callId = leg.req.join.call_id;
    if (status >= 200 && status < 300) return this.#answered(leg, rs);
    if (leg.done) return;
    if (status < 200) {
      if (status > 100 && !leg.ringing) {
        leg.ringing = true;
        this.#ctx.service.announce(accountId, doc.id, callId, 'dial-ringing', { status });
      }
      if (leg.req.earlyJoin && !leg.early && rs.content) {
        leg.early = true;
        await this.#ctx.service.earlyMedia(accountId, doc.id, leg.participantId, rs.content);
      }
      return;
    }
    if ((status === 401 || status === 407) && !leg.authTried && this.#retryWithCredentials(leg, rs)) return;
    this.#finish(leg);
    this.#ctx.service.announce(accountId, doc.id, callId, 'dial-failed', { status, reason: rs.reason ?? '' });
    leave(this.#ctx, { accountId, conferenceId: doc.id, participantId: leg.participantId }, 'removed');
  }

  /** Answers a 401/407 once with the outbound credentials (RFC 7616); false when there is nothing to answer with. */
  #retryWithCredentials(leg: Leg, rs: SipMessage): boolean {
    leg.authTried = true;
    const { outboundUsername: username, outboundPassword: password } = this.#o;
    if (!username || !password) return false;
    const proxy = rs.status === 407;
    const auth = answerChallenge(pickChallenge(rs.headers[proxy ? 'proxy-authenticate' : 'www-authenticate']), { method: 'INVITE', uri: leg.invite.uri!, username, password });
    if (!auth) return false;
    leg.invite.headers[proxy ? 'proxy-authorization' : 'authorization'] = [auth];
    leg.invite.headers.cseq = { method: 'INVITE', seq: leg.invite.headers.cseq.seq + 1 };
    this.#send(leg);
    return true;
  }

  /** 2xx: ACK it (each one: a lost ACK brings it again), and the first makes the leg a member. */
  async #answered(leg: Leg, rs: SipMessage): Promise<void> {
    const d = this.#dialogOf(leg, rs);
    this.#ctx.stack.send(inDialogRequest(d, 'ACK', leg.invite.headers.cseq.seq));
    if (leg.answered) return;
    leg.answered = true;
    const cancelled = leg.done;
    this.#finish(leg);
    if (cancelled) return this.#ctx.hangUp(d);
    this.#ctx.dialogs.add(d);
    const { accountId, doc } = leg.req;
    this.#ctx.service.announce(accountId, doc.id, d.callId, 'dial-answered', { status: rs.status });
    try {
      await this.#ctx.service.admitCall(accountId, doc.id, leg.participantId, leg.req.join, leg.early ? undefined : rs.content || undefined);
    } catch (err) {
      this.#ctx.log.warn({ err: String(err), callId: d.callId }, 'answered call not admitted');
      return this.#ctx.hangUp(d);
    }
    this.#inDialog.armSessionTimer(d, sessionTimerOf(rs));
  }

  #dialogOf(leg: Leg, rs: SipMessage): Dialog {
    return {
      role: 'uac',
      callId: leg.req.join.call_id,
      local: leg.invite.headers.from,
      remote: rs.headers.to,
      target: rs.headers.contact?.[0]?.uri ?? leg.invite.uri!,
      route: leg.route,
      accountId: leg.req.accountId,
      conferenceId: leg.req.doc.id,
      participantId: leg.participantId,
      localSeq: leg.invite.headers.cseq.seq,
      remoteSeq: 0,
      answer: undefined,
      acked: true,
      ended: false,
      reinviting: false,
      retransmit: undefined,
      sessionTimer: undefined,
      sessionExpires: undefined,
    };
  }

  /** CANCEL for an unanswered call (RFC 3261 §9.1): the INVITE's branch, its CSeq number. */
  #cancel(leg: Leg, announce = true): void {
    if (leg.done || leg.answered) return;
    this.#finish(leg);
    const invite = leg.invite;
    const cancel: SipMessage = {
      method: 'CANCEL',
      uri: invite.uri,
      version: '2.0',
      headers: {
        to: invite.headers.to,
        from: invite.headers.from,
        'call-id': invite.headers['call-id'],
        cseq: { method: 'CANCEL', seq: invite.headers.cseq.seq },
        via: [{ ...(invite.headers.via[0] as object) }],
        route: [{ uri: leg.route, params: {} }],
        'max-forwards': 70,
      },
    };
    this.#ctx.send(cancel);
    const { accountId, doc } = leg.req;
    if (announce) this.#ctx.service.announce(accountId, doc.id, leg.req.join.call_id, 'dial-failed', { status: 487, reason: 'Request Terminated (timeout)' });
    leave(this.#ctx, { accountId, conferenceId: doc.id, participantId: leg.participantId }, 'removed');
  }

  #finish(leg: Leg): void {
    leg.done = true;
    if (leg.timer) clearTimeout(leg.timer);
    this.#legs.delete(leg.req.join.call_id);
  }
}
