// The calls the door has, by Call-ID (for the peer's requests) and by participant (for the
// conference's side: a kick, a media timeout, the conference's end).
import { stopTimers, type Dialog } from './Dialog.js';

export class Dialogs {
  readonly #byCall = new Map<string, Dialog>();
  readonly #byParticipant = new Map<string, Dialog>();

  get size(): number {
    return this.#byCall.size;
  }

  get(callId: string): Dialog | undefined {
    return this.#byCall.get(callId);
  }

  has(callId: string): boolean {
    return this.#byCall.has(callId);
  }

  ofParticipant(accountId: string, conferenceId: string, participantId: number): Dialog | undefined {
    return this.#byParticipant.get(participantKey(accountId, conferenceId, participantId));
  }

  add(d: Dialog): void {
    this.#byCall.set(d.callId, d);
    this.#byParticipant.set(participantKey(d.accountId, d.conferenceId, d.participantId), d);
  }

  /** Forgets the call and stops its timers. */
  remove(d: Dialog): void {
    stopTimers(d);
    if (this.#byCall.get(d.callId) === d) this.#byCall.delete(d.callId);
    const k = participantKey(d.accountId, d.conferenceId, d.participantId);
    if (this.#byParticipant.get(k) === d) this.#byParticipant.delete(k);
  }

  all(): Dialog[] {
    return [...this.#byCall.values()];
  }
}

const participantKey = (accountId: string, conferenceId: string, participantId: number) => `${accountId}/${conferenceId}#${participantId}`;
