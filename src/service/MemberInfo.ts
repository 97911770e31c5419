import type { ParticipantState } from '../conference/ConferenceEvent.js';
import { gregorianSeconds } from './kazooEvent.js';

/** What the control plane knows of a participant beyond its media state. */
export interface MemberInfo {
  participantId: number;
  callId: string;
  callerIdName: string;
  callerIdNumber: string;
  /** Kazoo's custom_channel_vars as the join carried them (realm, presence_id, owner_id, ...). */
  customChannelVars: Record<string, string | number | boolean>;
  moderator: boolean;
  joinedAt: number;
  state: ParticipantState;
  muteDetect: boolean;
  /** Twilio/XiVO join flags that shape the conference around this member. */
  flags: MemberFlags;
  /** Held until a moderator (or a start-on-enter participant) arrives. */
  waiting: boolean;
  /** The caller's recorded name (play_name), 48 kHz PCM. */
  namePath?: string | undefined;
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

/** Where a participant is: its account and its conference's current instance. */
export interface MemberScope {
  accountId: string;
  conferenceId: string;
  instanceId: string;
}

/**
 * A participant as Kazoo's `_read_only.participants[]` and its events show it. What roomtone
 * has no notion of (realm, owner_id, ...) comes from the join's custom_channel_vars or is absent.
 */
export function kazooParticipant(scope: MemberScope, m: MemberInfo, now = Date.now()): Record<string, unknown> {
  const { accountId, conferenceId, instanceId } = scope;
  const presenceId = m.customChannelVars.presence_id;
  return {
    custom_channel_vars: { ...m.customChannelVars, account_id: accountId },
    ...(typeof presenceId === 'string' && { channel_presence_id: presenceId }),
    instance_id: instanceId,
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
    join_time: gregorianSeconds(m.joinedAt),
    duration: Math.floor((now - m.joinedAt) / 1000),
    coaching: m.state.coaching,
    waiting: m.waiting,
    end_conference_on_exit: m.flags.endConferenceOnExit,
    start_conference_on_enter: m.flags.startConferenceOnEnter ?? null,
    marked: m.flags.marked,
    relations: m.state.relations.map((r) => ({ participant_id: r.participantId, nohear: r.nohear, nospeak: r.nospeak })),
  };
}
