// The shapes the conference service takes and gives, in a file of their own: the service's
// parts (live conference, rules, pin entry) need them without importing the service itself.

export type ConferenceDocument = { id: string } & Record<string, unknown>;

import type { MemberInfo } from './MemberInfo.js';

export type MediaResolver = (accountId: string, mediaIdOrUrl: string) => Promise<string>;

export interface Joined {
  participant_id: number;
  call_id: string;
  sdp: string | null;
}

/** The account's named documents of a kind, by name (the store, for the server). */
export type NamedLookup = (kind: 'conference_profile' | 'caller_controls', accountId: string, name: string) => Record<string, unknown> | undefined;

/** What one account may have live in the service, and where its named documents come from. */
export interface ServiceQuotas {
  /** The account's named conference profiles and caller-control groups. */
  named?: NamedLookup;
  /** Participants (joins under way included) in all the account's conferences; default no limit. */
  participantsPerAccount?: number;
  /** Joins per second into one conference (bursts of twice that); default no limit. */
  joinsPerSecond?: number;
}

/** What a member's DTMF digit does (the caller controls), outside the service so that it can run commands. */
export type MemberDigitHandler = (accountId: string, conferenceId: string, member: MemberInfo, digit: string) => Promise<void>;
