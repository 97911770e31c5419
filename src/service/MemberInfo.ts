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
  /** Twilio/XiVO join flags that shape the conference around this member. */
  flags: MemberFlags;
  /** Held until a moderator (or a start-on-enter participant) arrives. */
  waiting: boolean;
}

export interface MemberFlags {
  endConferenceOnExit: boolean;
  /** true starts the conference; false waits for someone who starts it; undefined: not said. */
  startConferenceOnEnter: boolean | undefined;
  /** XiVO's marked participant. */
  marked: boolean;
  /** Leaves when the last marked participant leaves. */
  leaveWhenLastMarkedLeave: boolean;
  /** Twilio's beep: 'true' | 'false' | 'onEnter' | 'onExit'; undefined follows the document. */
  beep: string | undefined;
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
    waiting: m.waiting,
    end_conference_on_exit: m.flags.endConferenceOnExit,
    start_conference_on_enter: m.flags.startConferenceOnEnter ?? null,
    marked: m.flags.marked,
    relations: m.state.relations.map((r) => ({ participant_id: r.participantId, nohear: r.nohear, nospeak: r.nospeak })),
  };
}
