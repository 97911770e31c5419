// A dialled number reaches one conference: a number a document claims (conference_numbers,
// member.numbers, moderator.numbers) may not be another conference's, in any account.
import { RoomtoneError } from '../errors.js';
import { numbersOf } from '../service/conferenceOptions.js';
import type { Store } from '../store/Store.js';

const FIELDS = ['conference_numbers', 'member.numbers', 'moderator.numbers'] as const;

function claimed(doc: Record<string, unknown>, field: (typeof FIELDS)[number]): string[] {
  const [a, b] = field.split('.');
  const holder = (b ? (doc[a] as Record<string, unknown> | undefined)?.[b] : doc[a]) as unknown;
  return Array.isArray(holder) ? holder.filter((n): n is string => typeof n === 'string') : [];
}

/** 409 naming the field when one of the document's numbers belongs to another conference. */
export function checkNumbersFree(store: Store, id: string | undefined, doc: Record<string, unknown>): void {
  for (const field of FIELDS) {
    for (const number of claimed(doc, field)) {
      const other = store.conferencesMentioning(number).find((c) => c.doc.id !== id && numbersOf(c.doc.id, c.doc).includes(number));
      if (!other) continue;
      const message = `number ${number} already reaches another conference`;
      throw new RoomtoneError('conflict', message, field, { [field]: { unique: { message, target: number } } });
    }
  }
}
