// Joins that cannot be taken: a locked or full conference (409, with its sound for a caller that
// sent an offer) and an account at its participant quota (429).
import { ConflictError, QuotaError, RoomtoneError } from '../errors.js';
import type { InjectSource } from '../host/specs.js';
import type { LiveConference } from './LiveConference.js';
import type { JoinRequest } from './schema/joinRequest.js';
import { sound } from './sounds.js';

/** How long a refused caller hears the locked or full sound before it is removed. */
const REFUSAL_SOUND_MS = 2000;

/**
 * Refuses a newcomer with a 409. When the conference is running and the newcomer sent an
 * offer, it is connected apart from everyone just long enough to hear the locked or full
 * sound; the error then carries our SDP answer (data.conference.<reason>.target).
 */
export async function refuse(
  live: LiveConference | undefined,
  req: JoinRequest,
  reason: 'locked' | 'full',
  message: string,
  source: (live: LiveConference, media: string) => Promise<InjectSource>,
): Promise<never> {
  if (!live || !req.sdp) throw new ConflictError(message);
  const p = await live.conf.addParticipant({ sdp: req.sdp, held: true, muted: true });
  live.hidden.add(p.id);
  await p.inject(await source(live, sound(live.doc, reason)));
  setTimeout(() => void p.kick('removed').catch(() => {}), REFUSAL_SOUND_MS).unref();
  throw new RoomtoneError('conflict', message, 'conference', { conference: { [reason]: { message, target: p.sdp } } });
}

/** Live participants (and joins under way) of all the account's conferences against its quota. */
export function checkParticipantQuota(lives: Iterable<LiveConference>, accountId: string, limit: number): void {
  if (limit === Infinity) return;
  let n = 0;
  for (const live of lives) if (live.accountId === accountId) n += live.members.size + live.pending;
  if (n >= limit) throw new QuotaError('participants', limit, `the account has ${n} participants in its conferences, its quota`, 'rate_limited');
}
