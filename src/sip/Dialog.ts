// One SIP call into or out of a conference (RFC 3261 §12): the ids that name its dialog, where
// in-dialog requests go, and the participant it became.
import type { NameAddr, SipMessage } from './sipLibrary.js';

export interface Dialog {
  /** 'uas': the caller dialled in; 'uac': we called out (dial, invite). */
  role: 'uas' | 'uac';
  callId: string;
  /** Our side, with our tag: the INVITE's To (uas) or From (uac). */
  local: NameAddr;
  /** Their side, with their tag. */
  remote: NameAddr;
  /** The Request-URI of in-dialog requests: their Contact. */
  target: string;
  /**
   * How in-dialog requests reach them: the `sip` package's flow URI, as a Route it consumes
   * (back along the connection the INVITE came by, or to the address we called). Their Contact
   * may name an address we cannot route to (behind NAT), or our own host, which the package
   * takes for a flow token.
   */
  route: string;
  accountId: string;
  conferenceId: string;
  participantId: number;
  /** The CSeq of our last in-dialog request. */
  localSeq: number;
  /** The CSeq of their last in-dialog request (a lower one is out of order: 500). */
  remoteSeq: number;
  /** uas: the 200 to the INVITE, sent again until the ACK comes (RFC 3261 §13.3.1.4). */
  answer: SipMessage | undefined;
  acked: boolean;
  /** A BYE was sent or received: the participant's leaving must not send another. */
  ended: boolean;
  /** A re-INVITE of theirs is being answered (another one meanwhile gets 491). */
  reinviting: boolean;
  retransmit: NodeJS.Timeout | undefined;
  /** RFC 4028: the session ends (BYE) when this fires without a refresh. */
  sessionTimer: NodeJS.Timeout | undefined;
  sessionExpires: number | undefined;
}

/** A request within the dialog, from our side (BYE, ACK). */
export function inDialogRequest(d: Dialog, method: string, seq = ++d.localSeq): SipMessage {
  return {
    method,
    uri: d.target,
    version: '2.0',
    headers: {
      to: d.remote,
      from: d.local,
      'call-id': d.callId,
      cseq: { method, seq },
      via: [],
      route: [{ uri: d.route, params: {} }],
      'content-length': 0,
    },
  };
}

/** Stops the dialog's timers. */
export function stopTimers(d: Dialog): void {
  if (d.retransmit) clearTimeout(d.retransmit);
  if (d.sessionTimer) clearTimeout(d.sessionTimer);
  d.retransmit = undefined;
  d.sessionTimer = undefined;
}
