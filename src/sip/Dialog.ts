// One SIP call into a conference, as the UAS side of its dialog (RFC 3261 §12): the ids that
// name it, where in-dialog requests go, and the participant it became.
import type { NameAddr, SipMessage } from './sipLibrary.js';

export interface Dialog {
  callId: string;
  /** Our side: the INVITE's To, with our tag. */
  local: NameAddr;
  /** Their side: the INVITE's From, with their tag. */
  remote: NameAddr;
  /** The Request-URI of in-dialog requests: their Contact. */
  target: string;
  /**
   * How in-dialog requests reach them: back along the connection the INVITE came by (the
   * `sip` package's flow URI, as a Route it consumes). Their Contact may name an address we
   * cannot route to (behind NAT), or our own host, which the package takes for a flow token.
   */
  route: string;
  accountId: string;
  conferenceId: string;
  participantId: number;
  /** The CSeq of our last in-dialog request. */
  localSeq: number;
  /** The 200 to the INVITE, sent again until the ACK comes (RFC 3261 §13.3.1.4). */
  answer: SipMessage;
  acked: boolean;
  /** A BYE was sent or received: the participant's leaving must not send another. */
  ended: boolean;
  retransmit: NodeJS.Timeout | undefined;
}

/** A request within the dialog, from our side (BYE). */
export function inDialogRequest(d: Dialog, method: string): SipMessage {
  return {
    method,
    uri: d.target,
    version: '2.0',
    headers: {
      to: d.remote,
      from: d.local,
      'call-id': d.callId,
      cseq: { method, seq: ++d.localSeq },
      via: [],
      route: [{ uri: d.route, params: {} }],
      'content-length': 0,
    },
  };
}
