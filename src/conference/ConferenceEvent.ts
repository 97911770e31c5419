/** Why a participant left. */
/** `hangup`: the participant's own signalling ended the call (a SIP BYE). */
export type LeaveReason = 'removed' | 'kicked' | 'hangup' | 'conference-closed' | 'media-timeout' | 'port-closed' | 'engine-closed';

/** Everything a conference reports, declared once for the runtime, the worker protocol and the API. */
export type ConferenceEvent =
  | { name: 'participant-joined'; participantId: number }
  | { name: 'participant-left'; participantId: number; reason: LeaveReason }
  | { name: 'participant-updated'; participantId: number; state: ParticipantState }
  | { name: 'start-talking'; participantId: number; energy: number }
  | { name: 'stop-talking'; participantId: number }
  | { name: 'mute-detect'; participantId: number; energy: number }
  | { name: 'floor-change'; participantId: number | null; previous: number | null }
  | { name: 'dtmf'; participantId: number; digit: string; durationMs: number }
  /** Injected audio played to its end (participantId null: the conference-wide injection). */
  | { name: 'play-end'; participantId: number | null }
  | { name: 'conference-closed'; reason: string };

export type ConferenceEventName = ConferenceEvent['name'];

/** A participant's control state and realtime readings. */
export interface ParticipantState {
  participantId: number;
  muted: boolean;
  deaf: boolean;
  held: boolean;
  talking: boolean;
  floor: boolean;
  energyLevel: number;
  currentEnergy: number;
  inputGainDb: number;
  outputGainDb: number;
  coaching: number | null;
  relations: { participantId: number; nohear: boolean; nospeak: boolean }[];
  joinedAt: number;
}
