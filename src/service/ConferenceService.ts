import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ParticipantPatch } from '../conference/ParticipantOptions.js';
import type { Engine } from '../engine/Engine.js';
import type { Participant } from '../engine/Participant.js';
import { ConflictError, ForbiddenError, NotFoundError, UnsupportedError } from '../errors.js';
import type { Relation } from '../mixing/Relations.js';
import type { Logger } from '../util/logger.js';
import { maxParticipants, mixerOptions, pins, roleDefaults } from './conferenceOptions.js';
import type { EventSink } from './EventSink.js';
import { LiveConference } from './LiveConference.js';
import type { MemberFlags, MemberInfo } from './MemberInfo.js';
import { ConferenceRules } from './ConferenceRules.js';
import { applyControl } from './applyControl.js';
import { PIN_PROMPT, PinEntry } from './PinEntry.js';

export type ConferenceDocument = { id: string } & Record<string, unknown>;

export interface JoinRequest {
  sdp?: string;
  moderator?: boolean;
  pin?: string;
  callerIdName?: string;
  callerIdNumber?: string;
  callId?: string;
  /** Joins muted or unmuted whatever the role's default. */
  muted?: boolean;
  /** Participant id this one coaches (heard only by it). */
  coach?: number;
  flags?: Partial<MemberFlags>;
  /** Ask for a pin by DTMF first (the caller hears a prompt and has three tries). */
  collectPin?: boolean;
}

export interface Joined {
  participant_id: number;
  call_id: string;
  sdp: string | null;
}

/**
 * Conference documents brought to life: a document becomes an engine conference when its
 * first participant joins and is torn down when the last one leaves. Every control action of
 * the API ends here, whichever door (REST, websocket, in-process) it came through.
 */
export class ConferenceService {
  readonly #engine: Engine;
  readonly #sink: EventSink;
  readonly #log: Logger;
  readonly #live = new Map<string, LiveConference>();
  readonly #rules = new Map<string, ConferenceRules>();
  readonly #pinEntries = new Map<string, PinEntry>();
  readonly #starting = new Map<string, Promise<LiveConference>>();
  readonly #locked = new Set<string>();
  readonly #recordings = new Map<string, { participantId: number; file: string }>();
  readonly #dataDir: string;

  constructor(engine: Engine, sink: EventSink, log: Logger, dataDir: string) {
    this.#engine = engine;
    this.#sink = sink;
    this.#log = log;
    this.#dataDir = dataDir;
  }

  get liveCount(): number {
    return this.#live.size;
  }

  live(accountId: string, id: string): LiveConference | undefined {
    return this.#live.get(key(accountId, id));
  }

  isLocked(accountId: string, id: string): boolean {
    return this.#locked.has(key(accountId, id));
  }

  setLocked(accountId: string, id: string, locked: boolean): void {
    const k = key(accountId, id);
    if (locked === this.#locked.has(k)) return;
    if (locked) this.#locked.add(k);
    else this.#locked.delete(k);
    const live = this.#live.get(k);
    const event = locked ? 'lock' : 'unlock';
    if (live) live.publishConference(event);
    else this.#sink({ accountId, conferenceId: id, callId: 'conference', name: event, data: { event, conference_id: id } });
  }

  async join(accountId: string, doc: ConferenceDocument, req: JoinRequest): Promise<Joined> {
    const collectPin = req.collectPin === true;
    const moderator = collectPin ? false : this.#role(doc, req);
    this.#checkLock(accountId, doc.id);
    const live = await this.#ensureLive(accountId, doc);
    const k = key(accountId, doc.id);
    try {
      // Re-checked after the await: a lock or another join may have happened meanwhile.
      this.#checkLock(accountId, doc.id);
      const max = maxParticipants(doc);
      if (max !== undefined && live.members.size + live.pending >= max) {
        throw new ConflictError(`the conference is full (${max} participants)`);
      }
      live.doc = doc;
      const callId = req.callId ?? randomUUID();
      live.pending++;
      let participant;
      try {
        // A caller entering a pin is isolated (held) and hears the prompt until admitted.
        participant = await live.conf.addParticipant({ sdp: req.sdp, held: true, muted: true });
        if (collectPin) {
          await participant.inject({ kind: 'tone', tone: PIN_PROMPT });
          this.#pinEntries.set(`${k}#${participant.id}`, new PinEntry(participant.id, req, callId));
          return { participant_id: participant.id, call_id: callId, sdp: participant.sdp };
        }
        await this.#admit(live, participant.id, req, callId, moderator);
      } catch (err) {
        await participant?.kick('removed');
        throw err;
      } finally {
        live.pending--;
      }
      return { participant_id: participant.id, call_id: callId, sdp: participant.sdp };
    } catch (err) {
      // A first join that failed must not leave a conference running with nobody in it.
      if (live.empty) await this.#retire(k, 'empty');
      throw err;
    }
  }

  /** Makes a joined participant a member: its role's controls, the rules, add-member. */
  async #admit(live: LiveConference, participantId: number, req: JoinRequest, callId: string, moderator: boolean): Promise<void> {
    const participant = live.conf.participant(participantId);
    if (!participant) throw new NotFoundError('participant', participantId);
    const flags: MemberFlags = {
      endConferenceOnExit: req.flags?.endConferenceOnExit ?? false,
      startConferenceOnEnter: req.flags?.startConferenceOnEnter,
      marked: req.flags?.marked ?? false,
      leaveWhenLastMarkedLeave: req.flags?.leaveWhenLastMarkedLeave ?? false,
      beep: req.flags?.beep,
    };
    const rules = this.#rules.get(key(live.accountId, live.id))!;
    const waiting = rules.mustWait({ moderator, flags });
    const defaults = roleDefaults(live.doc, moderator);
    const state = await participant.update({ ...defaults, ...(req.muted !== undefined && { muted: req.muted }), held: waiting });
    await participant.inject(null);
    if (req.coach !== undefined) await participant.coach(req.coach);
    const info: MemberInfo = {
      participantId,
      callId,
      callerIdName: req.callerIdName ?? '',
      callerIdNumber: req.callerIdNumber ?? '',
      moderator,
      joinedAt: Date.now(),
      state,
      muteDetect: false,
      flags,
      waiting,
    };
    live.register(info);
    await rules.joined(info);
  }

  /** A digit: a pin being entered, or a member's caller control. */
  async #onDtmf(live: LiveConference, participantId: number, digit: string, member: MemberInfo | undefined): Promise<void> {
    try {
      if (member) return await applyControl(live, member, digit);
      const pinKey = `${key(live.accountId, live.id)}#${participantId}`;
      const entry = this.#pinEntries.get(pinKey);
      const participant = live.conf.participant(participantId);
      if (!entry || !participant) return;
      const verdict = entry.press(digit, live.doc);
      if (verdict === 'continue') return;
      if (verdict === 'retry') return void (await participant.inject({ kind: 'tone', tone: PIN_PROMPT }));
      this.#pinEntries.delete(pinKey);
      if (verdict === 'reject') return void (await participant.kick('kicked'));
      await this.#admit(live, participantId, entry.request, entry.callId, verdict === 'moderator');
    } catch (err) {
      this.#log.warn({ conferenceId: live.id, participantId, err: String(err) }, 'dtmf handling failed');
    }
  }

  /** Forgets a conference's lock and recording (its document was deleted or its ad-hoc life ended). */
  forget(accountId: string, id: string): void {
    this.#locked.delete(key(accountId, id));
    this.#recordings.delete(key(accountId, id));
  }

  #checkLock(accountId: string, id: string): void {
    if (this.isLocked(accountId, id)) throw new ConflictError('the conference is locked');
  }

  /** The live participant, or NotFoundError. */
  participant(accountId: string, id: string, participantId: number): { live: LiveConference; member: MemberInfo; handle: Participant } {
    const live = this.live(accountId, id);
    const member = live?.members.get(participantId);
    const handle = live?.conf.participant(participantId);
    if (!live || !member || !handle) throw new NotFoundError('participant', participantId);
    return { live, member, handle };
  }

  /** Members of a live conference; empty when nobody is in it. */
  members(accountId: string, id: string): MemberInfo[] {
    return [...(this.live(accountId, id)?.members.values() ?? [])];
  }

  async update(accountId: string, id: string, participantId: number, patch: ParticipantPatch): Promise<void> {
    await this.participant(accountId, id, participantId).handle.update(patch);
  }

  /** Puts a participant on hold (hold music, heard by nobody) or takes it off. */
  async hold(accountId: string, id: string, participantId: number, held: boolean): Promise<void> {
    const { handle, member } = this.participant(accountId, id, participantId);
    await handle.update({ held });
    await this.#rules.get(key(accountId, id))?.held(member, held);
  }

  /** `participantId` coaches `coachee` (heard only by it); null ends the coaching. */
  async coach(accountId: string, id: string, participantId: number, coachee: number | null): Promise<void> {
    const { handle } = this.participant(accountId, id, participantId);
    if (coachee !== null) this.participant(accountId, id, coachee);
    await handle.coach(coachee);
  }

  async kick(accountId: string, id: string, participantId: number): Promise<void> {
    await this.participant(accountId, id, participantId).handle.kick('kicked');
  }

  async relate(accountId: string, id: string, participantId: number, other: number, relation: Relation): Promise<void> {
    const { handle } = this.participant(accountId, id, participantId);
    this.participant(accountId, id, other);
    await handle.relate(other, relation);
  }

  async answer(accountId: string, id: string, participantId: number, sdp: string): Promise<void> {
    await this.participant(accountId, id, participantId).handle.answer(sdp);
  }

  /** Plays media to everyone (participantId null) or to one participant. */
  async play(accountId: string, id: string, participantId: number | null, mediaId: string): Promise<void> {
    if (!mediaId.startsWith('tone_stream://')) {
      throw new UnsupportedError('only tone_stream:// media plays so far; stored media and URLs come with the media store');
    }
    const source = { kind: 'tone' as const, tone: mediaId };
    if (participantId !== null) {
      await this.participant(accountId, id, participantId).handle.inject(source);
      return;
    }
    const live = this.live(accountId, id);
    if (!live) throw new ConflictError('nobody is in the conference to hear it');
    await live.conf.inject(source);
  }

  /**
   * Starts or stops recording the conference mix to a WAV under the data dir. The recorder is a
   * listening-only participant of the mixer, not a member of the conference.
   */
  async record(accountId: string, id: string, action: 'start' | 'stop'): Promise<{ recording: string; status: string }> {
    const k = key(accountId, id);
    const current = this.#recordings.get(k);
    const live = this.live(accountId, id);
    if (action === 'stop') {
      if (!current) throw new ConflictError('the conference is not being recorded');
      this.#recordings.delete(k);
      await live?.conf.participant(current.participantId)?.kick('removed');
      live?.publishConference('record-stop', { recording: current.file });
      return { recording: current.file, status: 'stopped' };
    }
    if (current) throw new ConflictError('the conference is already being recorded');
    if (!live) throw new ConflictError('nobody is in the conference to record');
    const file = `${new Date().toISOString().replace(/[:.]/g, '-')}.wav`;
    const path = join(this.#dataDir, 'recordings', accountId, id, file);
    const recorder = await live.conf.addParticipant({ port: { kind: 'record', path } });
    live.hidden.add(recorder.id);
    this.#recordings.set(k, { participantId: recorder.id, file });
    live.publishConference('record-start', { recording: file });
    return { recording: file, status: 'recording' };
  }

  /** Ends a conference for everyone (DELETE ?force=true, close). */
  async end(accountId: string, id: string, reason: string): Promise<void> {
    const live = this.live(accountId, id);
    if (live) await live.conf.close(reason);
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.#live.values()].map((l) => l.conf.close('shutdown')));
  }

  #role(doc: ConferenceDocument, req: JoinRequest): boolean {
    if (req.moderator === true) return true;
    if (req.pin === undefined) return false;
    if (pins(doc, true).includes(req.pin)) return true;
    if (pins(doc, false).includes(req.pin)) return false;
    throw new ForbiddenError('the pin matches neither a member nor a moderator pin');
  }

  async #ensureLive(accountId: string, doc: ConferenceDocument): Promise<LiveConference> {
    const k = key(accountId, doc.id);
    const existing = this.#live.get(k);
    if (existing) return existing;
    const starting = this.#starting.get(k);
    if (starting) return starting;
    const start = (async () => {
      const conf = await this.#engine.createConference({ id: k, ...mixerOptions(doc) });
      const live = new LiveConference(accountId, doc, conf, this.#sink, () => void this.#retire(k, 'empty'));
      const rules = new ConferenceRules(live, this.#log);
      live.onLeft = (m, reason) => void rules.left(m, reason);
      live.onDtmf = (participantId, digit, m) => void this.#onDtmf(live, participantId, digit, m);
      this.#rules.set(k, rules);
      this.#live.set(k, live);
      live.publishConference('conference-create');
      this.#log.info({ accountId, conferenceId: doc.id }, 'conference started');
      return live;
    })();
    this.#starting.set(k, start);
    try {
      return await start;
    } finally {
      this.#starting.delete(k);
    }
  }

  async #retire(k: string, reason: string): Promise<void> {
    const live = this.#live.get(k);
    if (!live) return;
    this.#live.delete(k);
    this.#rules.delete(k);
    for (const pinKey of this.#pinEntries.keys()) if (pinKey.startsWith(`${k}#`)) this.#pinEntries.delete(pinKey);
    this.#recordings.delete(k);
    await live.conf.close(reason);
    live.publishConference('conference-destroy', { reason });
    this.#log.info({ accountId: live.accountId, conferenceId: live.id, reason }, 'conference ended');
  }
}

const key = (accountId: string, id: string) => `${accountId}/${id}`;
