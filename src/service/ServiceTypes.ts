// The shapes the conference service takes and gives, in a file of their own: the service's
// parts (live conference, rules, pin entry) need them without importing the service itself.
import type { MemberFlags } from './MemberInfo.js';

export type ConferenceDocument = { id: string } & Record<string, unknown>;

export type MediaResolver = (accountId: string, mediaIdOrUrl: string) => Promise<string>;

export interface JoinRequest {
  sdp?: string;
  moderator?: boolean;
  pin?: string;
  callerIdName?: string;
  callerIdNumber?: string;
  callId?: string;
  /** Joins muted or unmuted whatever the role's default. */
  muted?: boolean;
  /** Participant id this one coaches (heard only by it). */
  coach?: number;
  flags?: Partial<MemberFlags>;
  /** Ask for a pin by DTMF first (the caller hears a prompt and has three tries). */
  collectPin?: boolean;
}

export interface Joined {
  participant_id: number;
  call_id: string;
  sdp: string | null;
}

/** What one account may have live in the service. */
export interface ServiceQuotas {
  /** Participants (joins under way included) in all the account's conferences; default no limit. */
  participantsPerAccount?: number;
  /** Joins per second into one conference (bursts of twice that); default no limit. */
  joinsPerSecond?: number;
}
