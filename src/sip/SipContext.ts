// What the SIP door's parts share: the stack, the calls, the counters and the conference service.
import type { LeaveReason } from '../conference/ConferenceEvent.js';
import type { ConferenceService } from '../service/ConferenceService.js';
import type { Logger } from '../util/logger.js';
import type { Dialog } from './Dialog.js';
import type { Dialogs } from './Dialogs.js';
import type { SipCounters } from './SipCounters.js';
import type { SipMessage, SipStack } from './sipLibrary.js';

export const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE';
export const SUPPORTED = 'timer';

export interface SipContext {
  readonly stack: SipStack;
  readonly dialogs: Dialogs;
  readonly counters: SipCounters;
  readonly service: ConferenceService;
  readonly log: Logger;
  /** Our Contact URI. */
  contact(): string;
  respond(rq: SipMessage, status: number, reason: string, headers?: Record<string, unknown>, content?: string): void;
  /** A request of ours outside the transaction layer's answer path (counted until its final answer). */
  send(rq: SipMessage, onResponse?: (rs: SipMessage) => void): void;
  /** Ends a call from our side: BYE, the dialog forgotten, the participant removed. */
  hangUp(d: Dialog): void;
}

/** The call's participant leaves the conference (a member or a caller still keying its PIN). */
export function leave(ctx: SipContext, d: Pick<Dialog, 'accountId' | 'conferenceId' | 'participantId'>, reason: LeaveReason): void {
  void ctx.service.live(d.accountId, d.conferenceId)?.conf.participant(d.participantId)?.kick(reason).catch(() => {});
}
