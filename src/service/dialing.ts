// What the service asks of a door that can place calls (the SIP door's dialer): declared here so
// the command table can dial without knowing SIP.
import type { JoinRequest } from './schema/joinRequest.js';
import type { ConferenceDocument } from './ServiceTypes.js';

export interface DialRequest {
  accountId: string;
  doc: ConferenceDocument;
  /** A SIP URI (sip:user@host[:port]) or a number (through the outbound proxy). */
  endpoint: string;
  /** The leg's call id and what the leg joins as once answered. */
  join: JoinRequest & { call_id: string };
  /** From: display name and user. */
  callerIdName: string | undefined;
  callerIdNumber: string | undefined;
  timeoutSeconds: number;
  /** Extra headers (X-...), names and values already checked. */
  headers: Record<string, string>;
  /** The conference hears the callee's early media while it rings (XiVO's earlyJoin). */
  earlyJoin: boolean;
}

export interface OutboundDialer {
  /** Throws a 400 naming `endpoints` for an endpoint that cannot be called. */
  check(endpoint: string): void;
  /** Starts the call; its progress comes as dial-ringing, dial-answered and dial-failed events. */
  dial(req: DialRequest): Promise<void>;
}
