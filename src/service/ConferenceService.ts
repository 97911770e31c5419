import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ParticipantPatch } from '../conference/ParticipantOptions.js';
import type { LeaveReason } from '../conference/ConferenceEvent.js';
import type { Engine } from '../engine/Engine.js';
import type { Participant } from '../engine/Participant.js';
import { ConflictError, InvalidArgumentError, NotFoundError, UnsupportedError } from '../errors.js';
import { promptNames } from './sounds.js';
import type { Relation } from '../mixing/Relations.js';
import type { InjectSource } from '../host/specs.js';
import type { Logger } from '../util/logger.js';
import { maxParticipants, mixerOptions, roleDefaults } from './conferenceOptions.js';
import type { EventSink } from './EventSink.js';
import { RateLimiter } from '../util/RateLimiter.js';
import type { ConferenceDocument, Joined, MediaResolver, MemberDigitHandler, NamedLookup, ServiceQuotas } from './ServiceTypes.js';
import { withNamedDocuments } from './namedDocuments.js';
import type { JoinRequest } from './schema/joinRequest.js';
import { LiveConference } from './LiveConference.js';
import type { MemberFlags, MemberInfo } from './MemberInfo.js';
import { ConferenceRules } from './ConferenceRules.js';
import { Recordings } from './Recordings.js';
import { admissionOf, coacheeOf } from './admission.js';
import { PinDesk } from './PinDesk.js';
import { checkParticipantQuota, refuse } from './refusals.js';
import type { OutboundDialer } from './dialing.js';
import { NameRecorder } from './NameRecorder.js';
import { languageOf, PromptLibrary } from './prompts/PromptLibrary.js';
import type { PromptName } from './prompts/promptTexts.js';

/** How long a refused caller stays connected to hear why. */

/**
 * Conference documents brought to life: a document becomes an engine conference when its
 * first participant joins and is torn down when the last one leaves. Every control action of
 * the API ends here, whichever door (REST, websocket, in-process) it came through.
 */
export class ConferenceService {
  readonly #engine: Engine;
  readonly #participantsPerAccount: number;
  readonly #joins: RateLimiter | null;
  readonly #sink: EventSink;
  readonly #log: Logger;
  readonly #live = new Map<string, LiveConference>();
  readonly #rules = new Map<string, ConferenceRules>();
  readonly #pins = new PinDesk({
    source: (live, media) => this.#sourceFor(live, media),
    admit: (live, participant, req, callId, moderator) => this.#admitNamed(live, participant, req, callId, moderator),
  });
  readonly #starting = new Map<string, Promise<LiveConference>>();
  /** Conferences closing: one starting again under the id waits (the engine's id is still taken). */
  readonly #closing = new Map<string, Promise<void>>();
  readonly #locked = new Set<string>();
  readonly recordings: Recordings;

  readonly #resolveMedia: MediaResolver | undefined;
  readonly #prompts: PromptLibrary;
  readonly #names: NameRecorder;
  readonly #named: NamedLookup | undefined;
  /** A member's DTMF digit (its caller controls); set by whoever wires the command table to this service. */
  memberDigit: MemberDigitHandler | undefined;
  /** Places calls (the SIP door's dialer); undefined when no door can. */
  dialer: OutboundDialer | undefined;
  /** Any participant left (members and callers still entering a pin): a signalling door ends its call. */
  participantGone: ((accountId: string, conferenceId: string, participantId: number, reason: LeaveReason) => void) | undefined;

  /** `resolveMedia` turns a media id or URL into a 48 kHz PCM file (the media store). */
  constructor(engine: Engine, sink: EventSink, log: Logger, dataDir: string, resolveMedia?: MediaResolver, quotas: ServiceQuotas = {}) {
    this.#engine = engine;
    this.#participantsPerAccount = quotas.participantsPerAccount ?? Infinity;
    this.#named = quotas.named;
    const joins = quotas.joinsPerSecond;
    this.#joins = joins === undefined ? null : new RateLimiter('joins into this conference', { perSecond: joins, burst: joins * 2 });
    this.#sink = sink;
    this.#log = log;
    this.recordings = new Recordings(dataDir);
    this.#prompts = new PromptLibrary({ cacheDir: join(dataDir, 'prompts') });
    this.#names = new NameRecorder(join(dataDir, 'names'), this.#prompts);
    this.#resolveMedia = resolveMedia;
  }

  /**
   * What to inject for a media string: a tone_stream, spoken prompts (`prompt://a,b`, in the
   * document's language), or a stored/fetched file.
   */
  async source(accountId: string, media: string, doc?: ConferenceDocument): Promise<InjectSource> {
    if (media.startsWith('tone_stream://')) return { kind: 'tone', tone: media };
    const names = promptNames(media);
    if (names) return { kind: 'file', path: await this.#prompts.sequence(languageOf(doc?.language), names as PromptName[]) };
    if (!this.#resolveMedia) throw new UnsupportedError('only tone_stream:// media plays without a media store');
    return { kind: 'file', path: await this.#resolveMedia(accountId, media) };
  }

  readonly #sourceFor = (live: LiveConference, media: string) => this.source(live.accountId, media, live.doc);

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

  /**
   * A participant joins with its offer (our answer in `sdp`) or without (our offer in `sdp`).
   * `admitLater`: a call roomtone places: connected apart from everyone, a member only once
   * admitCall() says it was answered.
   */
  async join(accountId: string, stored: ConferenceDocument, req: JoinRequest, how: { admitLater?: boolean } = {}): Promise<Joined> {
    const doc = withNamedDocuments(stored, accountId, this.#named);
    const admission = admissionOf(doc, req);
    const collectPin = admission === 'collect';
    const moderator = admission === 'moderator';
    const running = this.live(accountId, doc.id);
    if (this.isLocked(accountId, doc.id)) return refuse(running, req, 'locked', 'the conference is locked', this.#sourceFor);
    checkParticipantQuota(this.#live.values(), accountId, this.#participantsPerAccount);
    this.#joins?.take(key(accountId, doc.id));
    const live = await this.#ensureLive(accountId, doc);
    const k = key(accountId, doc.id);
    try {
      // Re-checked after the await: a lock or another join may have happened meanwhile.
      if (this.isLocked(accountId, doc.id)) return await refuse(live, req, 'locked', 'the conference is locked', this.#sourceFor);
      const max = maxParticipants(doc);
      if (max !== undefined && live.members.size + live.pending >= max) {
        return await refuse(live, req, 'full', `the conference is full (${max} participants)`, this.#sourceFor);
      }
      live.doc = doc;
      const callId = req.call_id ?? randomUUID();
      live.pending++;
      let participant;
      try {
        // A caller entering a pin is isolated (held) and hears the prompt until admitted.
        participant = await live.conf.addParticipant({ sdp: req.sdp, held: true, muted: true });
        if (collectPin) {
          await this.#pins.start(live, participant, req, callId);
          return { participant_id: participant.id, call_id: callId, sdp: participant.sdp };
        }
        if (how.admitLater) return { participant_id: participant.id, call_id: callId, sdp: participant.sdp };
        if (doc.play_name === true) {
          // The caller says its name first (seconds): the join answers now, and it is still
          // joining (pending) until admitted.
          live.pending++;
          void this.#admitNamed(live, participant, req, callId, moderator).finally(() => live.pending--);
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

  /** Admits a caller, asking for and recording its name first when the document says play_name. */
  async #admitNamed(live: LiveConference, participant: Participant, req: JoinRequest, callId: string, moderator: boolean): Promise<void> {
    let namePath: string | undefined;
    try {
      if (live.doc.play_name === true) namePath = await this.#names.record(live, participant, callId, languageOf(live.doc.language));
      await this.#admit(live, participant.id, req, callId, moderator, namePath);
    } catch (err) {
      this.#log.warn({ conferenceId: live.id, participantId: participant.id, err: String(err) }, 'admission failed');
      await participant.kick('removed').catch(() => {});
    }
  }

  /** Makes a joined participant a member: its role's controls, the rules, add-member. */
  async #admit(live: LiveConference, participantId: number, req: JoinRequest, callId: string, moderator: boolean, namePath?: string): Promise<void> {
    const participant = live.conf.participant(participantId);
    if (!participant) throw new NotFoundError('participant', participantId);
    const flags: MemberFlags = {
      endConferenceOnExit: req.end_conference_on_exit ?? false,
      startConferenceOnEnter: req.start_conference_on_enter,
      marked: req.marked ?? false,
      leaveWhenLastMarkedLeave: req.leave_when_last_marked_leave ?? false,
      beep: req.beep === undefined ? undefined : String(req.beep),
    };
    const rules = this.#rules.get(key(live.accountId, live.id))!;
    const waiting = rules.mustWait({ moderator, flags });
    const defaults = roleDefaults(live.doc, moderator);
    const state = await participant.update({ ...defaults, ...(req.muted !== undefined && { muted: req.muted }), held: waiting });
    await participant.inject(null);
    if (req.coach !== undefined) await participant.coach(coacheeOf(live, req.coach));
    const info: MemberInfo = {
      participantId,
      callId,
      callerIdName: req.caller_id_name ?? '',
      callerIdNumber: req.caller_id_number ?? '',
      customChannelVars: req.custom_channel_vars ?? {},
      moderator,
      joinedAt: Date.now(),
      state,
      muteDetect: false,
      flags,
      waiting,
      namePath,
    };
    live.register(info);
    await rules.joined(info);
  }

  /** A digit: a pin being entered, or a member's caller control. */
  async #onDtmf(live: LiveConference, participantId: number, digit: string, member: MemberInfo | undefined): Promise<void> {
    try {
      if (member) return await this.memberDigit?.(live.accountId, live.id, member, digit);
      await this.#pins.press(live, participantId, digit);
    } catch (err) {
      this.#log.warn({ conferenceId: live.id, participantId, err: String(err) }, 'dtmf handling failed');
    }
  }

  /** A placed call was answered (`sdp`: the callee's answer, unless early media brought it): it becomes a member. */
  async admitCall(accountId: string, id: string, participantId: number, req: JoinRequest, sdp: string | undefined): Promise<void> {
    const live = this.live(accountId, id);
    const participant = live?.conf.participant(participantId);
    if (!live || !participant) throw new NotFoundError('participant', participantId);
    if (sdp !== undefined) await participant.answer(sdp);
    await this.#admitNamed(live, participant, req, req.call_id ?? randomUUID(), req.moderator === true);
  }

  /** A placed call's early media (its 18x answer): the conference hears it while it rings. */
  async earlyMedia(accountId: string, id: string, participantId: number, sdp: string): Promise<void> {
    const participant = this.live(accountId, id)?.conf.participant(participantId);
    if (!participant) throw new NotFoundError('participant', participantId);
    await participant.answer(sdp);
    await participant.update({ held: false, muted: false, deaf: true });
  }

  /** A conference event from a door (dial progress), to the same subscribers as the conference's own. */
  announce(accountId: string, conferenceId: string, callId: string, name: string, data: Record<string, unknown>): void {
    const doc = this.live(accountId, conferenceId)?.doc;
    this.#sink({ accountId, conferenceId, callId, name, data: { event: name, conference_id: conferenceId, call_id: callId, ...data }, ...(doc && { doc }) });
  }

  /** A digit a participant's signalling carried (SIP INFO): the same path as RFC 4733's. */
  digit(accountId: string, id: string, participantId: number, digit: string, durationMs: number): void {
    const live = this.live(accountId, id);
    if (!live?.conf.participant(participantId)) throw new NotFoundError('participant', participantId);
    live.digit(participantId, digit, durationMs);
  }

  /** Forgets a conference's lock and recording (its document was deleted or its ad-hoc life ended). */
  forget(accountId: string, id: string): void {
    this.#locked.delete(key(accountId, id));
    this.recordings.forget(accountId, id);
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

  /** `participantId` coaches `coachee` (a participant id or, as Twilio has it, a call id), heard only by it; null ends it. */
  async coach(accountId: string, id: string, participantId: number, coachee: number | string | null): Promise<void> {
    const { handle, live } = this.participant(accountId, id, participantId);
    await handle.coach(coachee === null ? null : coacheeOf(live, coachee));
  }

  async kick(accountId: string, id: string, participantId: number): Promise<void> {
    await this.participant(accountId, id, participantId).handle.kick('kicked');
  }

  async relate(accountId: string, id: string, participantId: number, other: number, relation: Relation): Promise<void> {
    const { handle } = this.participant(accountId, id, participantId);
    this.participant(accountId, id, other);
    await handle.relate(other, relation);
  }

  /** A re-offer (re-INVITE): our answer; sendonly or inactive puts the participant on hold. */
  async reoffer(accountId: string, id: string, participantId: number, sdp: string): Promise<{ sdp: string; held: boolean }> {
    const { handle } = this.participant(accountId, id, participantId);
    const answer = await handle.reoffer(sdp);
    return { sdp: answer, held: handle.state.held };
  }

  async answer(accountId: string, id: string, participantId: number, sdp: string): Promise<void> {
    await this.participant(accountId, id, participantId).handle.answer(sdp);
  }

  /** Plays media to everyone (participantId null) or to one participant; null media stops it. */
  async play(accountId: string, id: string, participantId: number | null, mediaId: string | null): Promise<void> {
    // One prompt at a time from the API: sequences are built and cached on disk, only ours are bounded.
    if (mediaId !== null && (promptNames(mediaId)?.length ?? 0) > 1) throw new InvalidArgumentError('media_id', 'plays one prompt://name at a time');
    const source = mediaId === null ? null : await this.source(accountId, mediaId, this.live(accountId, id)?.doc);
    const event = mediaId === null ? 'play-stop' : 'play-start';
    if (participantId !== null) {
      const { handle, member, live } = this.participant(accountId, id, participantId);
      await handle.inject(source);
      live.publishMember(event, member, { media_id: mediaId });
      return;
    }
    const live = this.live(accountId, id);
    if (!live) throw new ConflictError('nobody is in the conference to hear it');
    await live.conf.inject(source);
    live.publishConference(event, { media_id: mediaId });
  }

  /** Starts or stops recording the conference mix to a WAV under the data dir. */
  async record(accountId: string, id: string, action: 'start' | 'stop', trimSilence = false): Promise<{ recording: string; status: string }> {
    const live = this.live(accountId, id);
    if (action === 'stop') return this.recordings.stop(live, accountId, id);
    if (!live) throw new ConflictError('nobody is in the conference to record');
    return this.recordings.start(live, trimSilence);
  }

  /** XiVO's reset (seed 002): nobody muted or deaf any more, nobody held, no relations or coaching. */
  async reset(accountId: string, id: string): Promise<number[]> {
    return (await this.live(accountId, id)?.reset()) ?? [];
  }

  /** Ends a conference for everyone (DELETE ?force=true, close). */
  async end(accountId: string, id: string, reason: string): Promise<void> {
    await this.live(accountId, id)?.conf.close(reason);
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.#live.values()].map((l) => l.conf.close('shutdown')));
  }

  async #ensureLive(accountId: string, doc: ConferenceDocument): Promise<LiveConference> {
    const k = key(accountId, doc.id);
    const existing = this.#live.get(k);
    if (existing) return existing;
    const starting = this.#starting.get(k);
    if (starting) return starting;
    const start = (async () => {
      await this.#closing.get(k);
      const conf = await this.#engine.createConference({ id: k, ...mixerOptions(doc), tenant: accountId });
      const live = new LiveConference(accountId, doc, conf, this.#sink, () => void this.#retire(k, 'empty'));
      const rules = new ConferenceRules(live, this.#log, (media) => this.source(accountId, media, live.doc), async (m, which) =>
        m.namePath ? { kind: 'file', path: await this.#names.announcement(m.namePath, languageOf(live.doc.language), which) } : null,
      );
      live.onLeft = (m, reason) => void rules.left(m, reason);
      live.onPlayEnd = (participantId) => this.#pins.playEnded(live, participantId) || void rules.playEnded(participantId);
      // Twilio's record-from-start: the recording begins with the conference, once two are in.
      rules.onBegin = async () => {
        if (live.doc.record === true && !this.recordings.active(live)) await this.recordings.start(live, live.doc.trim === 'trim-silence');
      };
      live.onControl = (m, change) => void rules.controlChanged(m, change);
      live.onDtmf = (participantId, digit, m) => void this.#onDtmf(live, participantId, digit, m);
      live.onGone = (participantId, reason) => this.participantGone?.(accountId, doc.id, participantId, reason);
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
    this.recordings.forget(live.accountId, live.id);
    this.#pins.forget(live);
    const closing = live.conf.close(reason).finally(() => this.#closing.delete(k));
    this.#closing.set(k, closing.catch(() => {}));
    await closing;
    live.publishConference('conference-destroy', { reason, duration: Math.floor((Date.now() - live.startedAt) / 1000) });
    this.#log.info({ accountId: live.accountId, conferenceId: live.id, reason }, 'conference ended');
  }
}

const key = (accountId: string, id: string) => `${accountId}/${id}`;
