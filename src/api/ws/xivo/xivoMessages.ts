// XiVO/Wazo's CTI conference messages (seed 002), made from roomtone's Kazoo-shaped events:
// CONFERENCEPARTICIPANTEVENT (Join, Leave, Update) for everyone's changes, CONFERENCEEVENT
// (Join, Leave) for the subscriber's own participant, CONFERENCECOMMANDERROR for a refused
// command. Each goes out as xuc frames it: {"msgType": …, "ctiMessage": {…}}.

type Data = Record<string, unknown>;

/** The Kazoo event names XiVO reports as a participant's Update. */
const UPDATES = new Set(['start-talking', 'stop-talking', 'mute-member', 'unmute-member', 'deaf-member', 'undeaf-member']);

export type XivoEventType = 'Join' | 'Leave' | 'Update';

/** Join, Leave or Update for one of our event names; undefined when XiVO has no such event. */
export function xivoEventType(name: string): XivoEventType | undefined {
  if (name === 'add-member') return 'Join';
  if (name === 'del-member') return 'Leave';
  return UPDATES.has(name) ? 'Update' : undefined;
}

/** A participant as XiVO shows it, from our event data (kazooParticipant's fields). */
export function xivoParticipant(d: Data, asParticipant: number | undefined): Data {
  const ccv = (d.custom_channel_vars ?? {}) as Data;
  return {
    index: d.participant_id,
    callerIdName: d.caller_id_name ?? '',
    callerIdNum: d.caller_id_number ?? '',
    since: typeof d.duration === 'number' ? d.duration : 0,
    isTalking: d.talking === true,
    role: d.is_moderator === true ? 'Organizer' : 'User',
    isMuted: d.speak === false,
    isMe: asParticipant !== undefined && d.participant_id === asParticipant,
    ...(typeof ccv.username === 'string' && { username: ccv.username }),
    isDeaf: d.hear === false,
  };
}

export interface ConferenceRef {
  number: string;
  name: string;
}

export function participantEvent(type: XivoEventType, conf: ConferenceRef, d: Data, asParticipant: number | undefined): string {
  const { index, ...rest } = xivoParticipant(d, asParticipant);
  const ctiMessage = { eventType: type, uniqueId: d.call_id, conferenceNumber: conf.number, conferenceName: conf.name, index, ...rest };
  return JSON.stringify({ msgType: 'CONFERENCEPARTICIPANTEVENT', ctiMessage });
}

/** The subscriber's own Join or Leave, with everyone in the conference and its age in seconds. */
export function conferenceEvent(type: 'Join' | 'Leave', conf: ConferenceRef, uniqueId: unknown, participants: Data[], since: number): string {
  const ctiMessage = { eventType: type, uniqueId, conferenceNumber: conf.number, conferenceName: conf.name, participants, since };
  return JSON.stringify({ msgType: 'CONFERENCEEVENT', ctiMessage });
}

export function commandError(error: string): string {
  return JSON.stringify({ msgType: 'CONFERENCECOMMANDERROR', ctiMessage: { error } });
}

/** XiVO's command error codes, as the organizer checks name them. */
export const XIVO_ERRORS = ['NotAMember', 'NotOrganizer', 'CannotKickOrganizer', 'ParticipantNotFound'] as const;
