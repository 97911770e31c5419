// Kazoo's `publish_participant_event` (seed 001): which participant events an account's
// subscribers are sent; unset, all of them. Per account, read from the store once and kept
// until the account's setting changes.
import type { ConferenceEventOut } from './EventSink.js';

/** The participant events of seed 001 that the setting can hold back. */
export const PARTICIPANT_EVENTS = [
  'add-member', 'del-member', 'stop-talking', 'start-talking', 'mute-member', 'unmute-member', 'deaf-member', 'undeaf-member',
] as const;

export class EventFilter {
  readonly #lists = new Map<string, ReadonlySet<string> | null>();
  readonly #read: (accountId: string) => readonly string[] | undefined;

  /** `read` gives an account's list, or undefined when it has none (everything is published). */
  constructor(read: (accountId: string) => readonly string[] | undefined) {
    this.#read = read;
  }

  publishes(e: ConferenceEventOut): boolean {
    if (!(PARTICIPANT_EVENTS as readonly string[]).includes(e.name)) return true;
    let list = this.#lists.get(e.accountId);
    if (list === undefined) {
      const read = this.#read(e.accountId);
      list = read === undefined ? null : new Set(read);
      this.#lists.set(e.accountId, list);
    }
    return list === null || list.has(e.name);
  }

  /** The account's setting changed. */
  forget(accountId: string): void {
    this.#lists.delete(accountId);
  }
}
