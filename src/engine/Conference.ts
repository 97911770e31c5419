import type { ConferenceEvent, ParticipantState } from '../conference/ConferenceEvent.js';
import type { ConferenceOptions } from '../conference/ConferenceOptions.js';
import { validateParticipantPatch } from '../conference/ParticipantOptions.js';
import { InvalidStateError } from '../errors.js';
import type { HostClient } from '../host/HostClient.js';
import type { ConferenceStats } from '../host/protocol.js';
import { FrameFormat } from '../mixing/FrameFormat.js';
import { MemoryPort } from '../ports/MemoryPort.js';
import { loadSource } from '../media/PcmLoader.js';
import type { InjectSource, PortSpec } from '../host/specs.js';
import { TypedEmitter } from '../util/TypedEmitter.js';
import type { AddParticipantOptions, ConferenceEvents } from './EngineTypes.js';
import { Participant } from './Participant.js';

/**
 * A conference as the application sees it. Whether it runs on this thread or a media worker
 * is invisible: every method is a request to its host, and events come back the same way.
 * close() is idempotent and closes every participant first.
 */
export class Conference extends TypedEmitter<ConferenceEvents> {
  readonly id: string;
  readonly options: ConferenceOptions;
  readonly format: FrameFormat;
  readonly #host: HostClient;
  readonly #participants = new Map<number, Participant>();
  readonly #onClosed: () => void;
  #nextParticipantId = 1;
  #closed = false;
  #finished = false;

  /** @internal created by Engine.createConference */
  constructor(host: HostClient, id: string, options: ConferenceOptions, onClosed: () => void) {
    super();
    this.#host = host;
    this.id = id;
    this.options = options;
    this.format = new FrameFormat(options.rate, options.intervalMs);
    this.#onClosed = onClosed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get participants(): Participant[] {
    return [...this.#participants.values()];
  }

  participant(id: number): Participant | undefined {
    return this.#participants.get(id);
  }

  /** A MemoryPort sized for this conference's frames. */
  createMemoryPort(depth?: number): MemoryPort {
    return new MemoryPort({ samples: this.format.samples, depth });
  }

  async addParticipant(opts: AddParticipantOptions): Promise<Participant> {
    this.#assertOpen();
    const { port, sdp, srtp, ...controls } = opts;
    validateParticipantPatch(controls);
    const spec: PortSpec = port instanceof MemoryPort ? port.spec : (port ?? { kind: 'rtp', sdp, srtp });
    const participantId = this.#nextParticipantId++;
    const added = await this.#host.request('addParticipant', { conferenceId: this.id, participantId, port: spec, controls });
    const participant = new Participant(this.#host, this.id, added.state, added.sdp, this.options.rate);
    this.#participants.set(participantId, participant);
    this.#host.participants++;
    return participant;
  }

  /** Audio every listener hears on top of the mix (tones, media), or null to stop it. */
  async inject(source: InjectSource | null): Promise<void> {
    this.#assertOpen();
    const loaded = await loadSource(source, this.options.rate);
    await this.#host.request('setInjection', { conferenceId: this.id, participantId: null, source: loaded });
  }

  /** Current state of every participant, read from the media thread. */
  states(): Promise<ParticipantState[]> {
    return this.#host.request('participants', { conferenceId: this.id });
  }

  stats(): Promise<ConferenceStats> {
    return this.#host.request('conferenceStats', { conferenceId: this.id });
  }

  async close(reason = 'closed'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#host.request('closeConference', { conferenceId: this.id, reason });
    this.#finish(reason);
  }

  /** @internal routes an event from the media thread */
  _dispatch(event: ConferenceEvent): void {
    const p = 'participantId' in event && event.participantId !== null ? this.#participants.get(event.participantId) : undefined;
    switch (event.name) {
      case 'participant-left':
        this.#participants.delete(event.participantId);
        if (p) this.#host.participants--;
        p?._closed(event.reason);
        break;
      case 'participant-updated':
        p?._applyState(event.state);
        break;
      case 'start-talking':
        p?._emit('start-talking', event.energy);
        break;
      case 'stop-talking':
        p?._emit('stop-talking');
        break;
      case 'mute-detect':
        p?._emit('mute-detect', event.energy);
        break;
      case 'dtmf':
        p?._emit('dtmf', event.digit, event.durationMs);
        break;
      case 'play-end':
        p?._emit('play-end');
        break;
      case 'conference-closed':
        this.#closed = true;
        this.emit(event.name, event);
        this.#finish(event.reason);
        return;
    }
    (this.emit as (name: string, e: ConferenceEvent) => void)(event.name, event);
  }

  #finish(reason: string): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const p of this.#participants.values()) p._closed('conference-closed');
    this.#host.participants -= this.#participants.size;
    this.#participants.clear();
    this.emit('close', reason);
    this.removeAllListeners();
    this.#onClosed();
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError(`conference ${this.id} is closed`);
  }
}
