import { randomUUID } from 'node:crypto';
import type { ConferenceEvent, LeaveReason, ParticipantState } from '../conference/ConferenceEvent.js';
import type { Conference } from '../engine/Conference.js';
import type { ConferenceDocument } from './ServiceTypes.js';
import type { EventSink } from './EventSink.js';
import { eventEnvelope, SWITCH_HOSTNAME } from './kazooEvent.js';
import { kazooParticipant, type MemberInfo, type MemberScope } from './MemberInfo.js';

/**
 * A conference document while it has participants: the engine conference, what the control
 * plane knows of each member, and the translation of engine events into Kazoo's event names
 * (add-member, del-member, mute-member, start-talking, ...).
 */
export class LiveConference {
  readonly accountId: string;
  readonly id: string;
  readonly conf: Conference;
  readonly startedAt = Date.now();
  /** This life of the conference (Kazoo's instance_id and conference_uuid): a new one each time it starts. */
  readonly instanceId = randomUUID();
  readonly members = new Map<number, MemberInfo>();
  /** Two parties are in (Twilio's conference-start was sent): from here on it has begun. */
  begun = false;
  /** Joins under way (awaiting the media thread); they count against the limits already. */
  pending = 0;
  /** Mixer participants that are not people (the recorder): they keep nothing alive. */
  readonly hidden = new Set<number>();
  readonly #sink: EventSink;

  /** Set by the service: what the conference does as members come and go. */
  onLeft: (m: MemberInfo, reason: LeaveReason) => void = () => {};
  /** Set by the service: a member's mute or hold changed, by whatever means. */
  onControl: (m: MemberInfo, change: 'muted' | 'unmuted' | 'held' | 'unheld') => void = () => {};
  /** Set by the service: a digit from any participant (members and callers still entering a pin). */
  onDtmf: (participantId: number, digit: string, m: MemberInfo | undefined) => void = () => {};
  /** Set by the service: any participant left, members and callers still entering a pin alike. */
  onGone: (participantId: number, reason: LeaveReason) => void = () => {};
  /** Set by the service: what one participant heard (its own injection) has finished. */
  onPlayEnd: (participantId: number) => void = () => {};
  /** The conference's document as of the latest join. */
  doc: ConferenceDocument;

  constructor(accountId: string, doc: ConferenceDocument, conf: Conference, sink: EventSink, onEmpty: () => void) {
    const id = doc.id;
    this.doc = doc;
    this.accountId = accountId;
    this.id = id;
    this.conf = conf;
    this.#sink = sink;
    conf.on('participant-left', (e) => {
      this.onGone(e.participantId, e.reason);
      const m = this.members.get(e.participantId);
      if (m) {
        if (e.reason === 'kicked') this.#publish('kick-member', m);
        this.#publish('del-member', m, { reason: e.reason });
        this.members.delete(e.participantId);
      }
      // Empty means nobody at all: callers still entering a pin keep the conference alive.
      if (this.empty) onEmpty();
      else if (m) this.onLeft(m, e.reason);
    });
    conf.on('participant-updated', (e) => this.#updated(e.participantId, e.state));
    conf.on('start-talking', (e) => this.#talking(e.participantId, true, e.energy));
    conf.on('stop-talking', (e) => this.#talking(e.participantId, false, 0));
    conf.on('mute-detect', (e) => {
      const m = this.members.get(e.participantId);
      if (!m) return;
      m.muteDetect = true;
      this.#publish('mute-detect', m);
    });
    conf.on('floor-change', (e) => this.#floor(e));
    conf.on('play-end', (e) => {
      if (e.participantId !== null) this.onPlayEnd(e.participantId);
      const m = e.participantId === null ? undefined : this.members.get(e.participantId);
      if (m) this.#publish('play-end', m);
      else if (e.participantId === null) this.publishConference('play-end');
    });
    conf.on('dtmf', (e) => this.digit(e.participantId, e.digit, e.durationMs));
  }

  /** XiVO's reset: every member unmuted, undeafened, unheld, not coached, with no relations; their ids. */
  async reset(): Promise<number[]> {
    const members = [...this.members.values()];
    for (const m of members) {
      const p = this.conf.participant(m.participantId);
      if (!p) continue;
      await p.update({ muted: false, deaf: false, held: false });
      await p.coach(null);
      for (const o of members) if (o !== m) await p.relate(o.participantId, 'clear');
    }
    return members.map((m) => m.participantId);
  }

  /** A digit from a participant, by RFC 4733 on its media or by its signalling (SIP INFO). */
  digit(participantId: number, digit: string, durationMs: number): void {
    const m = this.members.get(participantId);
    if (m) this.#publish('dtmf', m, { digit, duration_ms: durationMs });
    this.onDtmf(participantId, digit, m);
  }

  get empty(): boolean {
    return this.pending === 0 && this.conf.participants.every((p) => this.hidden.has(p.id));
  }

  /** A participant finished joining: it becomes a member and the others hear of it. */
  register(m: MemberInfo): void {
    this.members.set(m.participantId, m);
    this.#publish('add-member', m);
  }

  summary(locked: boolean): { members: number; admins: number; duration: number; is_locked: boolean } {
    let admins = 0;
    for (const m of this.members.values()) if (m.moderator) admins++;
    return {
      members: this.members.size - admins,
      admins,
      duration: Math.floor((Date.now() - this.startedAt) / 1000),
      is_locked: locked,
    };
  }

  /** `_read_only` with fresh media state (energies, talking) from the media thread. */
  async readOnly(locked: boolean): Promise<Record<string, unknown>> {
    for (const state of await this.conf.states()) {
      const m = this.members.get(state.participantId);
      if (m) m.state = state;
    }
    const now = Date.now();
    return {
      ...this.summary(locked),
      conference_uuid: this.instanceId,
      switch_hostname: SWITCH_HOSTNAME,
      participants: [...this.members.values()].map((m) => kazooParticipant(this.#scope, m, now)),
    };
  }

  /** Each member's current energy and talking flag, fresh from the media thread (the level stream). */
  async levels(): Promise<{ participant_id: number; call_id: string; current_energy: number; talking: boolean }[]> {
    const states = await this.conf.states();
    return states.flatMap((st) => {
      const m = this.members.get(st.participantId);
      return m ? [{ participant_id: st.participantId, call_id: m.callId, current_energy: st.currentEnergy, talking: st.talking }] : [];
    });
  }

  /** Every member as its events show it, as last known (no fresh energies). */
  participantsNow(): Record<string, unknown>[] {
    const now = Date.now();
    return [...this.members.values()].map((m) => kazooParticipant(this.#scope, m, now));
  }

  publishConference(name: string, data: Record<string, unknown> = {}): void {
    this.#sink({
      accountId: this.accountId,
      conferenceId: this.id,
      callId: 'conference',
      name,
      data: { event: name, conference_id: this.id, ...data },
      doc: this.doc,
    });
  }

  publishMember(name: string, m: MemberInfo, extra: Record<string, unknown> = {}): void {
    this.#publish(name, m, extra);
  }

  #publish(name: string, m: MemberInfo, extra: Record<string, unknown> = {}): void {
    this.#sink({
      accountId: this.accountId,
      conferenceId: this.id,
      callId: m.callId,
      name,
      data: { ...eventEnvelope(), event: name, account_id: this.accountId, ...kazooParticipant(this.#scope, m), ...extra },
      doc: this.doc,
    });
  }

  get #scope(): MemberScope {
    return { accountId: this.accountId, conferenceId: this.id, instanceId: this.instanceId };
  }

  #updated(id: number, state: ParticipantState): void {
    const m = this.members.get(id);
    if (!m) return;
    const before = m.state;
    m.state = state;
    if (before.muted !== state.muted) {
      if (!state.muted) m.muteDetect = false;
      this.#publish(state.muted ? 'mute-member' : 'unmute-member', m);
      this.onControl(m, state.muted ? 'muted' : 'unmuted');
    }
    if (before.deaf !== state.deaf) this.#publish(state.deaf ? 'deaf-member' : 'undeaf-member', m);
    if (before.held !== state.held && !m.waiting) {
      this.#publish(state.held ? 'hold-member' : 'unhold-member', m);
      this.onControl(m, state.held ? 'held' : 'unheld');
    }
  }

  #talking(id: number, talking: boolean, energy: number): void {
    const m = this.members.get(id);
    if (!m) return;
    m.state = { ...m.state, talking, currentEnergy: energy };
    this.#publish(talking ? 'start-talking' : 'stop-talking', m);
  }

  #floor(e: Extract<ConferenceEvent, { name: 'floor-change' }>): void {
    for (const m of this.members.values()) m.state = { ...m.state, floor: m.participantId === e.participantId };
    const holder = e.participantId === null ? undefined : this.members.get(e.participantId);
    if (holder) this.#publish('floor-change', holder, { previous_participant_id: e.previous });
    else this.publishConference('floor-change', { participant_id: null, previous_participant_id: e.previous });
  }
}
