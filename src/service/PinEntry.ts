import { pins } from './conferenceOptions.js';
import type { JoinRequest } from './schema/joinRequest.js';

export type PinVerdict = 'continue' | 'moderator' | 'member' | 'retry' | 'reject';

export const PIN_TRIES = 3;
const MAX_DIGITS = 32;

/**
 * A caller entering a pin by DTMF (collect_pin): digits up to '#', checked against the
 * moderator pins, then the member pins. Three wrong pins and the caller is removed.
 */
export class PinEntry {
  readonly participantId: number;
  readonly request: JoinRequest;
  readonly callId: string;
  #digits = '';
  #tries = 0;

  constructor(participantId: number, request: JoinRequest, callId: string) {
    this.participantId = participantId;
    this.request = request;
    this.callId = callId;
  }

  press(digit: string, doc: Record<string, unknown>): PinVerdict {
    if (digit !== '#') {
      if (this.#digits.length < MAX_DIGITS) this.#digits += digit;
      return 'continue';
    }
    const entered = this.#digits;
    this.#digits = '';
    if (entered && pins(doc, true).includes(entered)) return 'moderator';
    if (entered && pins(doc, false).includes(entered)) return 'member';
    return ++this.#tries >= PIN_TRIES ? 'reject' : 'retry';
  }
}
