import type { LeaveReason } from '../conference/ConferenceEvent.js';
import type { InjectSource } from '../host/specs.js';
import type { Logger } from '../util/logger.js';
import type { ConferenceDocument } from './ServiceTypes.js';
import type { LiveConference } from './LiveConference.js';
import type { MemberInfo } from './MemberInfo.js';
import { numberPrompts } from './prompts/numberPrompts.js';
import { languageOf } from './prompts/PromptLibrary.js';
import { promptMedia, promptNames, sound, toneFor } from './sounds.js';

/**
 * What a conference does for the people in it as they come and go (seeds 001, 002, 004):
 * entry and exit tones, the welcome, waiting for a moderator with hold music, the alone sound,
 * and ending on the exit of an end-on-exit or the last marked participant. It acts only
 * through the participants' ordinary controls (hold, inject, kick), between ticks.
 */
export class ConferenceRules {
  readonly #live: LiveConference;
  readonly #log: Logger;
  /** The member hearing the alone sound, if any. */
  #alone: number | null = null;
  /** Whether two have ever been in: alone after that is "alone", before it "the first participant". */
  #hadCompany = false;
  /** What a participant hears once its current sound ends (the hold music after a spoken prompt). */
  readonly #then = new Map<number, string>();
  /** Called once, when the conference begins (Twilio's conference-start). */
  onBegin: () => Promise<void> = async () => {};

  readonly #source: (media: string) => Promise<InjectSource>;

  readonly #announce: (m: MemberInfo, which: 'has_joined' | 'has_left') => Promise<InjectSource | null>;

  /**
   * `source` turns a tone_stream, media id or URL into something to inject; `announce` gives
   * "<name> has joined/left" for a member whose name was recorded (play_name), else null.
   */
  constructor(
    live: LiveConference,
    log: Logger,
    source: (media: string) => Promise<InjectSource>,
    announce: (m: MemberInfo, which: 'has_joined' | 'has_left') => Promise<InjectSource | null>,
  ) {
    this.#live = live;
    this.#log = log;
    this.#source = source;
    this.#announce = announce;
  }

  /** What the others hear as a member comes or goes: its name announced, else the entry or exit tone. */
  async #comingOrGoing(m: MemberInfo, which: 'entry' | 'exit'): Promise<InjectSource | null> {
    const named = await this.#announce(m, which === 'entry' ? 'has_joined' : 'has_left');
    if (named) return named;
    const tone = toneFor(this.#doc, which, m.flags.beep);
    return tone ? this.#source(tone) : null;
  }

  get #doc(): ConferenceDocument {
    return this.#live.doc;
  }

  /** Whether a newcomer must wait: the document requires a moderator and none has started it. */
  mustWait(m: Pick<MemberInfo, 'moderator' | 'flags'>): boolean {
    if (this.#isStarter(m)) return false;
    const requires = this.#doc.wait_for_moderator === true || this.#doc.require_moderator === true || m.flags.startConferenceOnEnter === false;
    return requires && !this.#started();
  }

  async joined(m: MemberInfo): Promise<void> {
    await this.#safely(async () => {
      if (m.waiting) {
        await this.#participant(m.participantId)?.inject(await this.#source(sound(this.#doc, 'moh')));
        return;
      }
      if (this.#isStarter(m)) await this.#releaseWaiting();
      const entry = this.#active().length > 1 ? await this.#comingOrGoing(m, 'entry') : null;
      if (entry) await this.#live.conf.inject(entry);
      if (this.#doc.play_welcome === true) await this.#participant(m.participantId)?.inject(await this.#source(sound(this.#doc, 'welcome')));
      else await this.#announceCount(m);
      await this.#updateAlone();
      await this.#maybeBegin();
    });
  }

  async left(m: MemberInfo, reason: LeaveReason): Promise<void> {
    if (reason === 'conference-closed' || reason === 'engine-closed') return;
    await this.#safely(async () => {
      if (this.#alone === m.participantId) this.#alone = null;
      const others = [...this.#live.members.values()];
      if (others.length === 0) return;
      if (m.flags.endConferenceOnExit) {
        await Promise.allSettled(others.map((o) => this.#participant(o.participantId)?.kick('conference-closed')));
        return;
      }
      if (m.flags.marked && !others.some((o) => o.flags.marked)) {
        const leaving = others.filter((o) => o.flags.leaveWhenLastMarkedLeave);
        await Promise.allSettled(leaving.map((o) => this.#participant(o.participantId)?.kick('conference-closed')));
      }
      const exit = this.#active().length > 0 ? await this.#comingOrGoing(m, 'exit') : null;
      if (exit) await this.#live.conf.inject(exit);
      await this.#updateAlone();
    });
  }

  /**
   * A member's controls changed, by any door (REST, DTMF, re-offer): the muted/unmuted sound to
   * it, and hold music while it is held.
   */
  async controlChanged(m: MemberInfo, change: 'muted' | 'unmuted' | 'held' | 'unheld'): Promise<void> {
    await this.#safely(async () => {
      const p = this.#participant(m.participantId);
      if (change === 'held') await p?.inject(await this.#source(sound(this.#doc, 'moh')));
      else if (change === 'unheld') await p?.inject(null);
      else if (!m.state.held) await p?.inject(await this.#source(sound(this.#doc, change)));
    });
  }

  /** Above the profile's announce-count, the joiner hears how many are in the conference, spoken. */
  async #announceCount(m: MemberInfo): Promise<void> {
    const profile = (this.#doc.profile ?? {}) as Record<string, unknown>;
    const threshold = profile['announce-count'];
    const count = this.#live.members.size;
    if (typeof threshold !== 'number' || count <= threshold) return;
    const spoken = ['there_are', ...numberPrompts(languageOf(this.#doc.language), count), 'participants'];
    await this.#participant(m.participantId)?.inject(await this.#source(promptMedia(spoken)));
  }

  #active(): MemberInfo[] {
    return [...this.#live.members.values()].filter((o) => !o.waiting);
  }

  #started(): boolean {
    return this.#active().some((m) => this.#isStarter(m));
  }

  /**
   * Twilio's start: a conference begins once two parties are in it, one of whom may start it
   * (startConferenceOnEnter, true unless said otherwise). A lone caller hears the alone sound
   * (hold music by default); no conference-start and no record-from-start until then.
   */
  async #maybeBegin(): Promise<void> {
    const active = this.#active();
    if (this.#live.begun || active.length < 2 || !active.some((m) => this.#isStarter(m))) return;
    this.#live.begun = true;
    this.#live.publishConference('conference-start');
    await this.onBegin();
  }

  /**
   * Who starts the conference: a moderator, or a participant whose startConferenceOnEnter is
   * true; left out, it is Twilio's default (true) unless the document waits for a moderator.
   */
  #isStarter(m: Pick<MemberInfo, 'moderator' | 'flags'>): boolean {
    if (m.moderator) return true;
    const waitsForModerator = this.#doc.wait_for_moderator === true || this.#doc.require_moderator === true;
    return m.flags.startConferenceOnEnter ?? !waitsForModerator;
  }

  async #releaseWaiting(): Promise<void> {
    const waiting = [...this.#live.members.values()].filter((o) => o.waiting);
    for (const w of waiting) {
      w.waiting = false;
      const p = this.#participant(w.participantId);
      if (!p) continue;
      await p.update({ held: false });
      await p.inject(null);
    }
  }

  /** One active member alone hears the alone sound; it stops when someone joins. */
  async #updateAlone(): Promise<void> {
    const active = this.#active();
    if (active.length > 1) this.#hadCompany = true;
    if (active.length === 1 && this.#alone !== active[0].participantId) {
      const id = (this.#alone = active[0].participantId);
      const said = sound(this.#doc, this.#hadCompany ? 'alone' : 'first');
      // A spoken prompt is said once, then the hold music plays until someone comes.
      if (promptNames(said)) this.#then.set(id, sound(this.#doc, 'moh'));
      await this.#participant(id)?.inject(await this.#source(said));
    } else if (active.length > 1 && this.#alone !== null) {
      const was = this.#alone;
      this.#alone = null;
      this.#then.delete(was);
      await this.#participant(was)?.inject(null);
    }
  }

  /** A participant's own sound ended: what was to follow it, if it still applies. */
  async playEnded(participantId: number): Promise<void> {
    const next = this.#then.get(participantId);
    this.#then.delete(participantId);
    if (next === undefined || this.#alone !== participantId) return;
    await this.#safely(async () => void (await this.#participant(participantId)?.inject(await this.#source(next))));
  }

  #participant(id: number) {
    return this.#live.conf.participant(id);
  }

  async #safely(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.#log.warn({ conferenceId: this.#live.id, err: String(err) }, 'conference rule failed');
    }
  }
}
