import type { ParticipantState } from '../conference/ConferenceEvent.js';

/** What the control plane knows of a participant beyond its media state. */
export interface MemberInfo {
  participantId: number;
  callId: string;
  callerIdName: string;
  callerIdNumber: string;
  moderator: boolean;
  joinedAt: number;
  state: ParticipantState;
  muteDetect: boolean;
}

/** A participant as Kazoo's `_read_only.participants[]` and its events show it. */
export function kazooParticipant(conferenceId: string, m: MemberInfo, now = Date.now()): Record<string, unknown> {
  return {
    participant_id: m.participantId,
    call_id: m.callId,
    caller_id_name: m.callerIdName,
    caller_id_number: m.callerIdNumber,
    conference_id: conferenceId,
    conference_name: conferenceId,
    is_moderator: m.moderator,
    speak: !m.state.muted,
    hear: !m.state.deaf,
    held: m.state.held,
    talking: m.state.talking,
    floor: m.state.floor,
    mute_detect: m.muteDetect,
    energy_level: m.state.energyLevel,
    current_energy: m.state.currentEnergy,
    video: false,
    join_time: Math.floor(m.joinedAt / 1000),
    duration: Math.floor((now - m.joinedAt) / 1000),
    coaching: m.state.coaching,
    relations: m.state.relations.map((r) => ({ participant_id: r.participantId, nohear: r.nohear, nospeak: r.nospeak })),
  };
}
