// The callers of each conference who are still keying a PIN (collect_pin), by participant: the
// prompt they hear, each digit, and the end of it (admitted, or a goodbye after three failures).
import type { Participant } from '../engine/Participant.js';
import type { InjectSource } from '../host/specs.js';
import type { LiveConference } from './LiveConference.js';
import { PinEntry } from './PinEntry.js';
import type { JoinRequest } from './schema/joinRequest.js';
import { sound } from './sounds.js';

/** The goodbye after a third wrong PIN ends the call when it has played, or after this at most. */
const GOODBYE_MAX_MS = 8000;

export interface PinDeskDeps {
  source(live: LiveConference, media: string): Promise<InjectSource>;
  admit(live: LiveConference, participant: Participant, req: JoinRequest, callId: string, moderator: boolean): Promise<void>;
}

export class PinDesk {
  readonly #entries = new Map<string, PinEntry>();
  /** Callers hearing their goodbye, removed when it ends. */
  readonly #leaving = new Set<string>();
  readonly #deps: PinDeskDeps;

  constructor(deps: PinDeskDeps) {
    this.#deps = deps;
  }

  /** The caller hears the PIN prompt; its digits come to press(). */
  async start(live: LiveConference, participant: Participant, req: JoinRequest, callId: string): Promise<void> {
    await participant.inject(await this.#deps.source(live, sound(live.doc, 'pin')));
    this.#entries.set(entryKey(live, participant.id), new PinEntry(participant.id, req, callId));
  }

  /** A digit from a caller who is not a member yet; false when it is not keying a PIN. */
  async press(live: LiveConference, participantId: number, digit: string): Promise<boolean> {
    const k = entryKey(live, participantId);
    const entry = this.#entries.get(k);
    const participant = live.conf.participant(participantId);
    if (!entry || !participant) return false;
    const verdict = entry.press(digit, live.doc);
    if (verdict === 'continue') return true;
    if (verdict === 'retry') {
      await participant.inject(await this.#deps.source(live, sound(live.doc, 'badPin')));
      return true;
    }
    this.#entries.delete(k);
    if (verdict === 'reject') {
      this.#leaving.add(k);
      await participant.inject(await this.#deps.source(live, 'prompt://pin_wrong'));
      setTimeout(() => this.#dismiss(live, participantId), GOODBYE_MAX_MS).unref();
      return true;
    }
    await this.#deps.admit(live, participant, entry.request, entry.callId, verdict === 'moderator');
    return true;
  }

  /** What a participant heard ended; true when it was a goodbye (the caller is then removed). */
  playEnded(live: LiveConference, participantId: number): boolean {
    return this.#dismiss(live, participantId);
  }

  /** Forgets a conference's callers (it ended). */
  forget(live: LiveConference): void {
    const prefix = `${live.accountId}/${live.id}#`;
    for (const k of [...this.#entries.keys(), ...this.#leaving]) {
      if (k.startsWith(prefix)) this.#entries.delete(k), this.#leaving.delete(k);
    }
  }

  #dismiss(live: LiveConference, participantId: number): boolean {
    if (!this.#leaving.delete(entryKey(live, participantId))) return false;
    void live.conf.participant(participantId)?.kick('kicked').catch(() => {});
    return true;
  }
}

const entryKey = (live: LiveConference, participantId: number) => `${live.accountId}/${live.id}#${participantId}`;
