// Who a joining caller is: its role from the PIN it gave (or the PIN to collect first), and
// whom it coaches, named by participant id or, as Twilio has it, by call id.
import { ForbiddenError, RoomtoneError } from '../errors.js';
import { pins } from './conferenceOptions.js';
import type { LiveConference } from './LiveConference.js';
import type { JoinRequest } from './schema/joinRequest.js';
import type { ConferenceDocument } from './ServiceTypes.js';

/**
 * How a join is admitted. A PIN given is checked (moderator pins first); without one, a role
 * whose pins are set has its PIN collected by DTMF, unless the caller says it checked it
 * (`pin_checked`, for a trusted door such as an IVR that already asked).
 */
export function admissionOf(doc: ConferenceDocument, req: JoinRequest): 'moderator' | 'member' | 'collect' {
  if (req.collect_pin === true) return 'collect';
  if (req.pin !== undefined) {
    if (pins(doc, true).includes(req.pin)) return 'moderator';
    if (pins(doc, false).includes(req.pin)) return 'member';
    throw new ForbiddenError('the pin matches neither a member nor a moderator pin');
  }
  const role = req.moderator === true ? 'moderator' : 'member';
  if (req.pin_checked === true) return role;
  return pins(doc, role === 'moderator').length > 0 ? 'collect' : role;
}

/** A member named by participant id or call id; Twilio's error 13240 when no such call is in the conference. */
export function coacheeOf(live: LiveConference, ref: number | string): number {
  const member = typeof ref === 'number' ? live.members.get(ref) : [...live.members.values()].find((m) => m.callId === ref);
  if (!member) {
    const message = `call ${String(ref)} is not connected to this conference`;
    throw new RoomtoneError('not_found', message, 'coach', { coach: { '13240': { message } } });
  }
  return member.participantId;
}
