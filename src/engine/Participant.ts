import type { LeaveReason, ParticipantState } from '../conference/ConferenceEvent.js';
import type { ParticipantPatch } from '../conference/ParticipantOptions.js';
import { PARTICIPANT_CONTROLS, type ParticipantControl } from '../conference/participantControls.js';
import { validateParticipantPatch } from '../conference/ParticipantOptions.js';
import { InvalidStateError } from '../errors.js';
import type { HostClient } from '../host/HostClient.js';
import type { Relation } from '../mixing/Relations.js';
import { loadSource } from '../media/PcmLoader.js';
import type { InjectSource } from '../host/specs.js';
import type { TransportStats } from '../transports/TransportStats.js';
import { TypedEmitter } from '../util/TypedEmitter.js';
import type { ParticipantEvents } from './EngineTypes.js';

/** A participant as the application sees it. Methods resolve once the media thread applied them. */
export class Participant extends TypedEmitter<ParticipantEvents> {
  readonly id: number;
  readonly conferenceId: string;
  readonly #host: HostClient;
  /** The conference's rate, which injected files are loaded at. */
  readonly #rate: number;
  #state: ParticipantState;
  #sdp: string | null;
  #closed = false;

  /** @internal created by Conference.addParticipant */
  constructor(host: HostClient, conferenceId: string, state: ParticipantState, sdp: string | null, rate: number) {
    super();
    this.#host = host;
    this.#rate = rate;
    this.conferenceId = conferenceId;
    this.id = state.participantId;
    this.#state = state;
    this.#sdp = sdp;
  }

  /** Our SDP for an RTP participant: the answer to its offer, or our offer awaiting answer(). */
  get sdp(): string | null {
    return this.#sdp;
  }

  /** Completes a dial-out: the remote's answer to our offer. */
  async answer(sdp: string): Promise<void> {
    this.#assertOpen();
    await this.#host.request('answerParticipant', this.#ref({ sdp }));
  }

  /** Answers a re-offer (re-INVITE). A sendonly or inactive offer puts the participant on hold. */
  async reoffer(sdp: string): Promise<string> {
    this.#assertOpen();
    const result = await this.#host.request('reofferParticipant', this.#ref({ sdp }));
    this.#sdp = result.sdp;
    this.#state = result.state;
    return result.sdp;
  }

  /** Transport figures: packets, drops by reason, jitter buffer, RTCP (null for non-RTP ports). */
  async stats(): Promise<TransportStats | null> {
    this.#assertOpen();
    return (await this.#host.request('participantStats', this.#ref({}))).transport;
  }

  /** The last known state (updated by events; call refresh() for current energy). */
  get state(): ParticipantState {
    return this.#state;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A control verb (mute, unmute, deaf, undeaf, hold, unhold) from the one table of them. */
  control(name: ParticipantControl): Promise<ParticipantState> {
    return this.update(PARTICIPANT_CONTROLS[name].patch);
  }

  async update(patch: ParticipantPatch): Promise<ParticipantState> {
    this.#assertOpen();
    validateParticipantPatch(patch);
    this.#state = await this.#host.request('updateParticipant', this.#ref({ patch }));
    return this.#state;
  }

  async relate(other: Participant | number, relation: Relation): Promise<void> {
    this.#assertOpen();
    const otherId = typeof other === 'number' ? other : other.id;
    await this.#host.request('relate', this.#ref({ otherId, relation }));
  }

  /** Makes this participant a coach heard only by `coachee`; null ends it. */
  async coach(coachee: Participant | number | null): Promise<void> {
    this.#assertOpen();
    const id = coachee === null ? null : typeof coachee === 'number' ? coachee : coachee.id;
    await this.#host.request('coach', this.#ref({ coachee: id }));
  }

  /** Audio only this participant hears (a prompt), or null to stop it. */
  async inject(source: InjectSource | null): Promise<void> {
    this.#assertOpen();
    const loaded = await loadSource(source, this.#rate);
    await this.#host.request('setInjection', { conferenceId: this.conferenceId, participantId: this.id, source: loaded });
  }

  /** Removes the participant from the conference. Safe to call twice. */
  async kick(reason: LeaveReason = 'kicked'): Promise<void> {
    if (this.#closed) return;
    await this.#host.request('removeParticipant', this.#ref({ reason }));
  }

  close(): Promise<void> {
    return this.kick('removed');
  }

  /** @internal */
  _applyState(state: ParticipantState): void {
    this.#state = state;
    this.emit('updated', state);
  }

  /** @internal */
  _emit<K extends keyof ParticipantEvents & string>(event: K, ...args: ParticipantEvents[K]): void {
    this.emit(event, ...args);
  }

  /** @internal the media side removed it */
  _closed(reason: LeaveReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close', reason);
    this.removeAllListeners();
  }

  #ref<T extends object>(rest: T) {
    return { conferenceId: this.conferenceId, participantId: this.id, ...rest };
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError(`participant ${this.id} has left`);
  }
}
