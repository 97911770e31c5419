import type { CreateConferenceOptions } from '../engine/EngineTypes.js';

type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc => (typeof v === 'object' && v !== null ? (v as Doc) : {});

/** The mixer settings a conference document asks for (its profile, seed 003). */
export function mixerOptions(doc: Doc): CreateConferenceOptions {
  const profile = obj(doc.profile);
  const o: CreateConferenceOptions = {};
  if (typeof profile.rate === 'number') o.rate = profile.rate;
  if (typeof profile.interval === 'number') o.intervalMs = profile.interval;
  if (typeof profile['energy-level'] === 'number') o.energyLevel = profile['energy-level'];
  if (typeof profile['comfort-noise'] === 'number') o.comfortNoise = profile['comfort-noise'];
  return o;
}

/** Member or moderator defaults of a document: who joins muted or deaf. */
export function roleDefaults(doc: Doc, moderator: boolean): { muted: boolean; deaf: boolean } {
  const role = obj(doc[moderator ? 'moderator' : 'member']);
  return {
    muted: typeof role.join_muted === 'boolean' ? role.join_muted : !moderator,
    deaf: role.join_deaf === true,
  };
}

/** max_participants, or the profile's max-members. */
export function maxParticipants(doc: Doc): number | undefined {
  if (typeof doc.max_participants === 'number') return doc.max_participants;
  const max = obj(doc.profile)['max-members'];
  return typeof max === 'number' ? max : undefined;
}

export function pins(doc: Doc, moderator: boolean): string[] {
  const list = obj(doc[moderator ? 'moderator' : 'member']).pins;
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
}

/**
 * As whom a caller of `number` joins: moderator.numbers and member.numbers fix the role (its
 * PIN collected when the role has pins); a conference number or `conference-{id}` lets the
 * PIN decide when there are pins.
 */
export function roleOfNumber(doc: Doc, number: string): 'member' | 'moderator' | 'pin' {
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  if (list(obj(doc.moderator).numbers).includes(number)) return 'moderator';
  if (list(obj(doc.member).numbers).includes(number)) return 'member';
  return pins(doc, true).length + pins(doc, false).length > 0 ? 'pin' : 'member';
}

/** The numbers a conference answers to: conference_numbers, member and moderator numbers, and `conference-{id}`. */
export function numbersOf(id: string, doc: Doc): string[] {
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return [`conference-${id}`, ...list(doc.conference_numbers), ...list(obj(doc.member).numbers), ...list(obj(doc.moderator).numbers)];
}
