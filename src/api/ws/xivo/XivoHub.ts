// XiVO subscriptions (`xivo.conference.{number}` on the websocket): one subscriber follows one
// conference by its number and receives seed 002's messages, `isMe` being relative to the
// participant it says it is (`as_participant`). Each subscription keeps the conference's
// roster (a snapshot at subscribe, then the events), since CONFERENCEEVENT lists everyone.
import type { EventSink, HubEvent } from '../EventHub.js';
import { numbersOf } from '../../../service/conferenceOptions.js';
import { conferenceEvent, participantEvent, xivoEventType, xivoParticipant, type ConferenceRef } from './xivoMessages.js';

type Data = Record<string, unknown>;

export const XIVO_PREFIX = 'xivo.conference.';

export class XivoSubscription {
  /** Participant id → its latest data (kazooParticipant's fields). */
  readonly roster = new Map<number, Data>();

  constructor(
    readonly accountId: string,
    readonly number: string,
    readonly asParticipant: number | undefined,
    readonly sink: EventSink,
    snapshot: Data[],
  ) {
    for (const p of snapshot) if (typeof p.participant_id === 'number') this.roster.set(p.participant_id, p);
  }

  deliver(e: HubEvent & { doc?: Data }): void {
    const type = xivoEventType(e.name);
    const pid = e.data.participant_id;
    if (!type || typeof pid !== 'number') return;
    if (type === 'Leave') this.roster.delete(pid);
    else this.roster.set(pid, { ...this.roster.get(pid), ...e.data });
    const conf: ConferenceRef = { number: this.number, name: typeof e.doc?.name === 'string' ? e.doc.name : e.conferenceId };
    this.sink.send(participantEvent(type, conf, e.data, this.asParticipant));
    if (type !== 'Update' && pid === this.asParticipant) {
      const everyone = [...this.roster.values()].map((d) => xivoParticipant(d, this.asParticipant));
      // The conference's age: how long its longest-present participant has been in it.
      const since = Math.max(0, ...[...this.roster.values(), e.data].map((d) => (typeof d.duration === 'number' ? d.duration : 0)));
      this.sink.send(conferenceEvent(type, conf, e.data.call_id, everyone, since));
    }
  }
}

export class XivoHub {
  readonly #byAccount = new Map<string, Set<XivoSubscription>>();

  add(sub: XivoSubscription): void {
    let set = this.#byAccount.get(sub.accountId);
    if (!set) this.#byAccount.set(sub.accountId, (set = new Set()));
    set.add(sub);
  }

  remove(sub: XivoSubscription): void {
    const set = this.#byAccount.get(sub.accountId);
    if (!set?.delete(sub)) return;
    if (set.size === 0) this.#byAccount.delete(sub.accountId);
  }

  publish(e: HubEvent & { doc?: Data }): void {
    const set = this.#byAccount.get(e.accountId);
    if (!set || !xivoEventType(e.name)) return;
    const numbers = [e.conferenceId, ...numbersOf(e.conferenceId, e.doc ?? {})];
    for (const sub of [...set]) if (numbers.includes(sub.number)) sub.deliver(e);
  }
}
