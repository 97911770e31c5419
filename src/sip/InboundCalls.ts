// Dial-in: an INVITE to a conference's number becomes a participant. The caller's SDP offer goes
// to the service's join, our answer goes back in the 200 (sent again until the ACK). A conference
// with bridge credentials asks for them (RFC 7616 digest); one without takes only the allowed
// networks. A CANCEL before our answer ends the attempt with 487.
import { randomBytes } from 'node:crypto';
import { RateLimitedError, RoomtoneError } from '../errors.js';
import type { JoinRequest } from '../service/schema/joinRequest.js';
import type { ConferenceDocument } from '../service/ServiceTypes.js';
import type { Dialog } from './Dialog.js';
import { DigestVerifier, type DigestVerdict } from './digest.js';
import type { InDialogRequests } from './InDialogRequests.js';
import { SUPPORTED, type SipContext } from './SipContext.js';
import { sipStatusOf } from './sipErrors.js';
import { makeResponse, parseUri, stringifyUri, type NameAddr, type Remote, type SipMessage } from './sipLibrary.js';
import { MIN_SE, sessionTimerHeaders, sessionTimerOf } from './sessionTimer.js';

/** Who a dialled number reaches, and as whom: member or moderator numbers fix the role, a conference number lets the PIN decide. */
export interface DialledConference {
  accountId: string;
  doc: ConferenceDocument;
  role: 'member' | 'moderator' | 'pin';
}

/** RFC 3261 timers: the 200 is sent again at T1, doubling up to T2, until the ACK or 64·T1. */
const T1 = 500;
const T2 = 4000;
/** A locked or full conference: its sound plays this long before our BYE. */
const REFUSAL_MS = 2500;

export class InboundCalls {
  readonly #ctx: SipContext;
  readonly #inDialog: InDialogRequests;
  readonly #lookup: (number: string) => DialledConference | undefined;
  readonly #digest: DigestVerifier;
  /** INVITEs not answered yet, by Call-ID: a CANCEL finds them here. */
  readonly #pending = new Map<string, { rq: SipMessage; cancelled: boolean }>();

  constructor(ctx: SipContext, inDialog: InDialogRequests, lookup: (number: string) => DialledConference | undefined, algorithms: readonly ('SHA-256' | 'MD5')[]) {
    this.#ctx = ctx;
    this.#digest = new DigestVerifier(randomBytes(32), { realm: 'roomtone', algorithms });
    this.#inDialog = inDialog;
    this.#lookup = lookup;
  }

  /** `trusted`: the source is in --sip-allow; otherwise only a conference's credentials let it in. */
  async invite(rq: SipMessage, remote: Remote, trusted: boolean): Promise<void> {
    const callId = rq.headers['call-id'];
    if (this.#ctx.dialogs.has(callId) || this.#pending.has(callId)) return;
    const target = this.#target(rq);
    if (target === 'bad') return this.#ctx.respond(rq, 400, 'Bad Request');
    if (!target) return trusted ? this.#ctx.respond(rq, 404, 'Not Found') : this.#ctx.respond(rq, 403, 'Forbidden');
    const { bridge_username: username, bridge_password: password } = target.doc;
    if (typeof username === 'string' && typeof password === 'string' && username && password) {
      const verdict = this.#authorize(rq, username, password);
      if (verdict !== 'ok') return this.#ctx.respond(rq, 401, 'Unauthorized', { 'www-authenticate': this.#digest.challengeHeaders(verdict === 'stale') });
    } else if (!trusted) return this.#ctx.respond(rq, 403, 'Forbidden');
    const timer = sessionTimerOf(rq);
    if (timer.kind === 'too-small') return this.#ctx.respond(rq, 422, 'Session Interval Too Small', { 'min-se': String(MIN_SE) });
    this.#ctx.respond(rq, 100, 'Trying');
    const pending = { rq, cancelled: false };
    this.#pending.set(callId, pending);
    let joined;
    try {
      joined = await this.#ctx.service.join(target.accountId, target.doc, joinRequest(rq, target.role));
    } catch (err) {
      this.#pending.delete(callId);
      if (!pending.cancelled) this.#refused(rq, remote, err);
      return;
    } finally {
      this.#pending.delete(callId);
    }
    if (pending.cancelled) {
      void this.#ctx.service.live(target.accountId, target.doc.id)?.conf.participant(joined.participant_id)?.kick('removed').catch(() => {});
      return;
    }
    const d = this.#answer(rq, remote, joined.sdp ?? '', { ...sessionTimerHeaders(timer) });
    Object.assign(d, { accountId: target.accountId, conferenceId: target.doc.id, participantId: joined.participant_id });
    this.#ctx.dialogs.add(d);
    this.#inDialog.armSessionTimer(d, timer);
  }

  /** CANCEL: 200 for it, and 487 for the INVITE when that is not answered yet (RFC 3261 §9.2). */
  cancel(rq: SipMessage): void {
    const pending = this.#pending.get(rq.headers['call-id']);
    // The INVITE's transaction (RFC 3261 §9.2): its Via branch too, not a guessed Call-ID alone.
    if (!pending || branchOf(pending.rq) !== branchOf(rq)) return this.#ctx.respond(rq, 481, 'Call/Transaction Does Not Exist');
    pending.cancelled = true;
    this.#ctx.respond(rq, 200, 'OK');
    this.#ctx.respond(pending.rq, 487, 'Request Terminated');
  }

  /** The number dialled (the Request-URI's user) and the conference it reaches; 'bad' when it cannot be read. */
  #target(rq: SipMessage): DialledConference | undefined | 'bad' {
    const user = parseUri(rq.uri ?? '')?.user;
    if (user === undefined) return undefined;
    try {
      const number = decodeURIComponent(user);
      return number.length > 64 ? undefined : this.#lookup(number);
    } catch {
      return 'bad';
    }
  }

  #authorize(rq: SipMessage, username: string, password: string): DigestVerdict {
    return this.#digest.verify(rq.headers.authorization, { method: 'INVITE', uri: typeof rq.uri === 'string' ? rq.uri : '' }, { username, password });
  }

  /**
   * A refusal. Locked or full with a running conference: the caller is answered, hears the
   * conference's sound and gets our BYE; anything else is the error's SIP status.
   */
  #refused(rq: SipMessage, remote: Remote, err: unknown): void {
    const sound = err instanceof RoomtoneError && err.code === 'conflict' ? refusalSdp(err) : undefined;
    if (sound === undefined) {
      const [status, reason] = sipStatusOf(err);
      // Bounded by the per-source INVITE limit: one line per refused call.
      this.#ctx.log.info({ callId: rq.headers['call-id'].slice(0, 128), status, err: String(err).slice(0, 300) }, 'SIP call refused');
      return this.#ctx.respond(rq, status, reason, err instanceof RateLimitedError ? { 'retry-after': String(err.retryAfterSeconds) } : {});
    }
    // A call with no participant of its own (the sound's is the service's): its ACK is taken, then our BYE.
    const d = this.#answer(rq, remote, sound, {});
    this.#ctx.dialogs.add(d);
    setTimeout(() => this.#ctx.hangUp(d), REFUSAL_MS).unref();
  }

  /** Our 200 with `sdp`, sent until the ACK; the dialog it opens (not yet registered). */
  #answer(rq: SipMessage, remote: Remote, sdp: string, headers: Record<string, string>): Dialog {
    const local: NameAddr = { ...rq.headers.to, params: { ...rq.headers.to.params, tag: randomBytes(6).toString('hex') } };
    const answer = makeResponse(rq, 200, 'OK');
    Object.assign(answer.headers, { to: local, contact: [{ uri: this.#ctx.contact(), params: {} }], supported: SUPPORTED, 'content-type': 'application/sdp', ...headers });
    answer.content = sdp;
    const d: Dialog = {
      role: 'uas',
      callId: rq.headers['call-id'],
      local,
      remote: rq.headers.from,
      target: rq.headers.contact?.[0]?.uri ?? rq.headers.from.uri,
      route: stringifyUri(this.#ctx.stack.encodeFlowUri(remote)),
      accountId: '',
      conferenceId: '',
      participantId: -1,
      localSeq: 0,
      remoteSeq: rq.headers.cseq.seq,
      answer,
      acked: false,
      ended: false,
      reinviting: false,
      retransmit: undefined,
      sessionTimer: undefined,
      sessionExpires: undefined,
    };
    this.#ctx.stack.send(answer);
    this.#retransmit(d, T1, 0);
    return d;
  }

  /** The 200 again at T1, 2·T1, … up to T2 apart, until the ACK; without one after 64·T1 the call ends. */
  #retransmit(d: Dialog, interval: number, elapsed: number): void {
    d.retransmit = setTimeout(() => {
      if (d.acked || d.ended) return;
      if (elapsed + interval >= 64 * T1) return this.#ctx.hangUp(d);
      this.#ctx.stack.send(d.answer!);
      this.#retransmit(d, Math.min(interval * 2, T2), elapsed + interval);
    }, interval);
    d.retransmit.unref();
  }
}

function joinRequest(rq: SipMessage, role: DialledConference['role']): JoinRequest {
  const from = rq.headers.from;
  const sdp = typeof rq.content === 'string' && rq.content.length > 0 ? rq.content : undefined;
  return {
    sdp,
    call_id: rq.headers['call-id'].slice(0, 128),
    caller_id_name: (from.name ?? '').replace(/^"|"$/g, '').slice(0, 128),
    caller_id_number: (parseUri(from.uri)?.user ?? '').slice(0, 64),
    ...(role === 'moderator' && { moderator: true }),
    ...(role === 'pin' && { collect_pin: true }),
  };
}

/** The SDP answer a locked or full refusal carries (the sound's connection), if it has one. */
function refusalSdp(err: RoomtoneError): string | undefined {
  const conference = (err.details as Record<string, Record<string, { target?: unknown }>> | undefined)?.conference;
  const target = conference?.locked?.target ?? conference?.full?.target;
  return typeof target === 'string' ? target : undefined;
}

const branchOf = (m: SipMessage): unknown => (m.headers.via[0] as { params?: { branch?: unknown } } | undefined)?.params?.branch;
