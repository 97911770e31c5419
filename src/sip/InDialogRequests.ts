// Requests within a call, from the peer: re-INVITE and UPDATE (hold, unhold, a new media
// address, a session refresh), INFO (DTMF), BYE, and the ACK to our 200. RFC 3261 §14: a second
// re-INVITE while one is answered gets 491; an out-of-order CSeq 500; no such call 481.
import { inDialogRequest, type Dialog } from './Dialog.js';
import { dtmfOfInfo } from './dtmfInfo.js';
import { ALLOW, leave, SUPPORTED, type SipContext } from './SipContext.js';
import { sipStatusOf } from './sipErrors.js';
import type { SipMessage } from './sipLibrary.js';
import { sessionTimerHeaders, sessionTimerOf, MIN_SE, type SessionTimerAsk } from './sessionTimer.js';

export class InDialogRequests {
  readonly #ctx: SipContext;

  constructor(ctx: SipContext) {
    this.#ctx = ctx;
  }

  /** The dialog a request belongs to, or a 481/500 answer and undefined. */
  dialogOf(rq: SipMessage): Dialog | undefined {
    const d = this.#ctx.dialogs.get(rq.headers['call-id']);
    if (!d || d.ended || (rq.headers.to.params?.tag ?? null) !== (d.local.params.tag ?? null)) {
      if (rq.method !== 'ACK') this.#ctx.respond(rq, 481, 'Call/Transaction Does Not Exist');
      return undefined;
    }
    if (rq.method === 'ACK') return d;
    if (rq.headers.cseq.seq <= d.remoteSeq) {
      this.#ctx.respond(rq, 500, 'Server Internal Error', { 'retry-after': '1' });
      return undefined;
    }
    d.remoteSeq = rq.headers.cseq.seq;
    return d;
  }

  ack(d: Dialog): void {
    d.acked = true;
    if (d.retransmit) clearTimeout(d.retransmit);
    d.retransmit = undefined;
  }

  /** re-INVITE or UPDATE: an offer goes to the participant's reoffer (hold by sendonly/inactive); without one it refreshes the session. */
  async reoffer(d: Dialog, rq: SipMessage): Promise<void> {
    if (d.reinviting) return this.#ctx.respond(rq, 491, 'Request Pending');
    const timer = sessionTimerOf(rq);
    if (timer.kind === 'too-small') return this.#ctx.respond(rq, 422, 'Session Interval Too Small', { 'min-se': String(MIN_SE) });
    const sdp = typeof rq.content === 'string' && rq.content.length > 0 ? rq.content : undefined;
    d.reinviting = true;
    try {
      const answer = sdp ? (await this.#ctx.service.reoffer(d.accountId, d.conferenceId, d.participantId, sdp)).sdp : rq.method === 'INVITE' ? d.answer?.content : undefined;
      this.armSessionTimer(d, timer);
      const headers = { contact: [{ uri: this.#ctx.contact(), params: {} }], supported: SUPPORTED, ...sessionTimerHeaders(timer) };
      this.#ctx.respond(rq, 200, 'OK', answer === undefined ? headers : { ...headers, 'content-type': 'application/sdp' }, answer);
    } catch (err) {
      const [status, reason] = sipStatusOf(err);
      this.#ctx.respond(rq, status, reason);
    } finally {
      d.reinviting = false;
    }
  }

  /** INFO: a DTMF digit drives the PIN entry or the caller controls, as RFC 4733's would. */
  info(d: Dialog, rq: SipMessage): void {
    const dtmf = dtmfOfInfo(rq.headers['content-type'], rq.content);
    const type = rq.headers['content-type'];
    if (!dtmf && type !== undefined && rq.content) return this.#ctx.respond(rq, 415, 'Unsupported Media Type', { accept: 'application/dtmf-relay, application/dtmf' });
    if (dtmf) {
      try {
        this.#ctx.service.digit(d.accountId, d.conferenceId, d.participantId, dtmf.digit, dtmf.durationMs);
      } catch {
        return this.#ctx.respond(rq, 481, 'Call/Transaction Does Not Exist');
      }
    }
    this.#ctx.respond(rq, 200, 'OK');
  }

  bye(d: Dialog, rq: SipMessage): void {
    d.ended = true;
    this.#ctx.dialogs.remove(d);
    this.#ctx.respond(rq, 200, 'OK');
    leave(this.#ctx, d, 'hangup');
  }

  /**
   * RFC 4028: when the peer refreshes, the session ends unless a refresh comes before it expires
   * (less a margin, §10); when we refresh, an UPDATE goes at half the interval.
   */
  armSessionTimer(d: Dialog, ask: SessionTimerAsk): void {
    if (ask.kind !== 'timer') return;
    if (d.sessionTimer) clearTimeout(d.sessionTimer);
    d.sessionExpires = ask.seconds;
    const weRefresh = (ask.refresher === 'uas') === (d.role === 'uas');
    const ms = weRefresh ? (ask.seconds * 1000) / 2 : (ask.seconds - Math.min(32, ask.seconds / 3)) * 1000;
    d.sessionTimer = setTimeout(() => {
      if (d.ended) return;
      if (!weRefresh) return this.#ctx.hangUp(d);
      const update = inDialogRequest(d, 'UPDATE');
      Object.assign(update.headers, { contact: [{ uri: this.#ctx.contact(), params: {} }], 'session-expires': `${ask.seconds};refresher=${ask.refresher}`, supported: SUPPORTED, allow: ALLOW });
      this.#ctx.send(update, (rs) => {
        if ((rs.status ?? 0) < 200) return;
        if ((rs.status ?? 0) >= 300) this.#ctx.hangUp(d);
        else this.armSessionTimer(d, ask);
      });
    }, ms);
    d.sessionTimer.unref();
  }
}
