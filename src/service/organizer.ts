import { RoomtoneError } from '../errors.js';
import type { LiveConference } from './LiveConference.js';
import type { MemberInfo } from './MemberInfo.js';

/** XiVO's organizer error codes, carried as the rule of the `as_participant` field. */
export type OrganizerError = 'NotAMember' | 'NotOrganizer' | 'CannotKickOrganizer' | 'ParticipantNotFound';

const STATUS: Record<OrganizerError, 'forbidden' | 'not_found'> = {
  NotAMember: 'forbidden',
  NotOrganizer: 'forbidden',
  CannotKickOrganizer: 'forbidden',
  ParticipantNotFound: 'not_found',
};

export function organizerError(code: OrganizerError, message: string): RoomtoneError {
  return new RoomtoneError(STATUS[code], message, 'as_participant', { as_participant: { [code]: { message } } });
}

/**
 * Checks an action a participant asks for (XiVO's CTI rules): anyone may mute or unmute
 * themselves; acting on others, on everyone, or on the conference needs an organizer (a
 * moderator); an organizer cannot be kicked. Returns the acting member.
 */
export function checkOrganizer(
  live: LiveConference | undefined,
  asParticipant: number,
  op: 'self' | 'other' | 'all' | 'kick',
  targetId?: number,
): MemberInfo {
  const actor = live?.members.get(asParticipant);
  if (!live || !actor) throw organizerError('NotAMember', `participant ${asParticipant} is not in the conference`);
  if (targetId !== undefined && !live.members.has(targetId)) {
    throw organizerError('ParticipantNotFound', `participant ${targetId} is not in the conference`);
  }
  if (op === 'self' || targetId === asParticipant) return actor;
  if (!actor.moderator) throw organizerError('NotOrganizer', `participant ${asParticipant} is not an organizer`);
  if (op === 'kick' && targetId !== undefined && live.members.get(targetId)!.moderator) {
    throw organizerError('CannotKickOrganizer', `participant ${targetId} is an organizer and cannot be kicked`);
  }
  return actor;
}
