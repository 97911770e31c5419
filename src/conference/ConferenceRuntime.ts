import { monotonicMs } from '../clock/monotonic.js';
import type { Tickable } from '../clock/Scheduler.js';
import { InvalidArgumentError, InvalidStateError, NotFoundError } from '../errors.js';
import { Flag, OutputMode, UNITY_GAIN_Q12 } from '../mixing/flags.js';
import { FrameFormat } from '../mixing/FrameFormat.js';
import { MixBuffers } from '../mixing/MixBuffers.js';
import { MixKernel, type Kernel } from '../mixing/MixKernel.js';
import { Relations, type Relation } from '../mixing/Relations.js';
import type { FrameSource, PcmPort } from '../ports/PcmPort.js';
import type { ConferenceEvent, LeaveReason, ParticipantState } from './ConferenceEvent.js';
import type { ConferenceOptions } from './ConferenceOptions.js';
import { FloorTracker } from './FloorTracker.js';
import { DEFAULT_PARTICIPANT_CONTROLS, type ParticipantPatch, validateParticipantPatch } from './ParticipantOptions.js';
import { ParticipantRuntime } from './ParticipantRuntime.js';
import { TalkChange } from './TalkDetector.js';
import { TickEventKind, TickEventQueue } from './TickEventQueue.js';
import { ConferenceTickStats } from './ConferenceTickStats.js';
import { SharedEncodings } from '../media/SharedEncodings.js';
import type { TickHistogram } from './TickHistogram.js';

/** The gate of a participant whose input gain is zero: nothing it sends can be heard. */
const MAX_GATE = 0x3fffffff;

/**
 * A conference as the media thread runs it. Control methods change state between ticks;
 * tick() reads the ports, runs the kernel once, writes the ports and queues events. Nothing
 * in tick() allocates, awaits or logs.
 */
export class ConferenceRuntime implements Tickable {
  readonly id: string;
  readonly format: FrameFormat;
  readonly intervalMs: number;
  readonly stats: ConferenceTickStats;
  /** The shared mix's encoders, used by the outbound streams of listeners on the shared mix. */
  readonly sharedEncodings: SharedEncodings;
  #options: ConferenceOptions;
  readonly #emit: (event: ConferenceEvent) => void;
  readonly #buffers: MixBuffers;
  readonly #kernel: Kernel;
  readonly #slots: ParticipantRuntime[] = [];
  readonly #byId = new Map<number, ParticipantRuntime>();
  readonly #relations = new Relations();
  readonly #floor = new FloorTracker();
  readonly #events = new TickEventQueue();
  readonly #silence: Int16Array;
  #injection: FrameSource | null = null;
  #closed = false;
  // Bound once so the tick's floor decision creates no closures.
  readonly #talkingAt = (i: number) => this.#slots[i].audible;
  readonly #scoreAt = (i: number) => this.#slots[i].score;
  readonly #idAt = (i: number) => this.#slots[i].id;
  readonly #deliver = (kind: TickEventKind, a: number, b: number) => this.#deliverTickEvent(kind, a, b);

  constructor(id: string, options: ConferenceOptions, emit: (event: ConferenceEvent) => void, kernel?: Kernel, histogram?: TickHistogram) {
    this.id = id;
    this.stats = new ConferenceTickStats(histogram);
    this.#options = options;
    this.#emit = emit;
    this.format = new FrameFormat(options.rate, options.intervalMs);
    this.intervalMs = options.intervalMs;
    this.#buffers = new MixBuffers(this.format.samples);
    this.sharedEncodings = new SharedEncodings(this.format.rate, this.format.samples);
    this.#silence = new Int16Array(this.format.samples);
    this.#kernel = kernel ?? new MixKernel(this.format);
    this.#kernel.configure({ topK: options.topK, comfortNoise: options.comfortNoise });
  }

  get size(): number {
    return this.#slots.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get options(): ConferenceOptions {
    return this.#options;
  }

  has(id: number): boolean {
    return this.#byId.has(id);
  }

  addParticipant(id: number, port: PcmPort, patch: ParticipantPatch = {}): ParticipantRuntime {
    if (this.#closed) throw new InvalidStateError(`conference ${this.id} is closed`);
    if (this.#byId.has(id)) throw new InvalidArgumentError('participantId', `${id} is already in the conference`);
    const p = new ParticipantRuntime(id, port, { ...DEFAULT_PARTICIPANT_CONTROLS, ...validateParticipantPatch(patch) });
    const slot = this.#slots.length;
    if (slot >= this.#buffers.capacity) this.#buffers.grow(Math.max(4, this.#buffers.capacity * 2));
    this.#buffers.resetSlot(slot);
    p.slot = slot;
    this.#slots.push(p);
    this.#byId.set(id, p);
    this.#writeControls(p);
    this.#rebuildRelations();
    // Called from socket and timer callbacks, never from the tick.
    port.onEnded = (reason) => this.removeParticipant(id, reason);
    port.onDtmf = (digit, durationMs) => this.#emit({ name: 'dtmf', participantId: id, digit, durationMs });
    this.#emit({ name: 'participant-joined', participantId: id });
    return p;
  }

  removeParticipant(id: number, reason: LeaveReason): void {
    const p = this.#byId.get(id);
    if (!p) return;
    const last = this.#slots.length - 1;
    if (p.slot !== last) {
      const moved = this.#slots[last];
      this.#buffers.moveSlot(last, p.slot);
      this.#slots[p.slot] = moved;
      moved.slot = p.slot;
    }
    this.#slots.pop();
    this.#byId.delete(id);
    this.#relations.forget(id);
    for (const other of this.#slots) if (other.coaching === id) other.coaching = -1;
    this.#rebuildRelations();
    p.injection?.close();
    p.port.close();
    this.#emit({ name: 'participant-left', participantId: id, reason });
    if (this.#floor.release(id)) this.#emit({ name: 'floor-change', participantId: null, previous: id });
  }

  update(id: number, patch: ParticipantPatch): ParticipantState {
    const p = this.#get(id);
    p.applyControls({ ...p.controls, ...validateParticipantPatch(patch) });
    if (p.controls.muted || p.controls.held) p.talk.reset();
    this.#writeControls(p);
    const state = this.state(id);
    this.#emit({ name: 'participant-updated', participantId: id, state });
    return state;
  }

  relate(a: number, b: number, relation: Relation): void {
    this.#get(a);
    this.#get(b);
    this.#relations.set(a, b, relation);
    this.#rebuildRelations();
  }

  /** `coach` is heard only by `coachee` (null ends the coaching). */
  coach(coach: number, coachee: number | null): void {
    const p = this.#get(coach);
    if (coachee !== null) {
      this.#get(coachee);
      if (coachee === coach) throw new InvalidArgumentError('coachee', 'a participant cannot coach itself');
    }
    p.coaching = coachee ?? -1;
    this.#rebuildRelations();
  }

  /** Sets the audio every listener hears on top of the mix (participantId null) or one hears. */
  setInjection(participantId: number | null, source: FrameSource | null): void {
    if (participantId === null) {
      this.#injection?.close();
      this.#injection = source;
      return;
    }
    const p = this.#get(participantId);
    p.injection?.close();
    p.injection = source;
  }

  /** Every participant's port (for metrics; not for the tick). */
  ports(): PcmPort[] {
    return this.#slots.map((p) => p.port);
  }

  /** The participant's port (the host reaches RTP endpoints through it). */
  portOf(id: number): PcmPort {
    return this.#get(id).port;
  }

  state(id: number): ParticipantState {
    const p = this.#get(id);
    return {
      participantId: p.id,
      muted: p.controls.muted,
      deaf: p.controls.deaf,
      held: p.controls.held,
      talking: p.talk.talking,
      floor: this.#floor.holder === p.id,
      energyLevel: p.controls.energyLevel ?? this.#options.energyLevel,
      currentEnergy: this.#buffers.energy[p.slot],
      inputGainDb: p.controls.inputGainDb,
      outputGainDb: p.controls.outputGainDb,
      coaching: p.coaching === -1 ? null : p.coaching,
      relations: this.#relations.of(p.id),
      joinedAt: p.joinedAt,
    };
  }

  participants(): ParticipantState[] {
    return this.#slots.map((p) => this.state(p.id));
  }

  tick(frameIndex: number, lateMs: number): void {
    const started = monotonicMs();
    const b = this.#buffers;
    const n = this.#slots.length;
    for (let i = 0; i < n; i++) {
      const p = this.#slots[i];
      let flags = p.baseFlags;
      try {
        // The kernel gates on energy after the input gain: express the gate before it. Whole
        // numbers (rounded down: the safe side) stay small integers, not a heap number per call.
        const gain = b.inGain[i];
        const gate = gain > 0 ? Math.floor((b.threshold[i] * UNITY_GAIN_Q12) / gain) : MAX_GATE;
        if (p.port.readFrame(b.inputSlots[i], gate)) flags |= Flag.HasInput;
        if (p.injection !== null && p.injection.readFrame(b.injectSlots[i])) flags |= Flag.Inject;
      } catch {
        p.portErrors++;
      }
      b.flags[i] = flags;
    }
    const confInject = this.#injection !== null && this.#injection.readFrame(b.confInject);
    this.#kernel.mix(b, n, confInject);
    const frameMs = this.intervalMs;
    const talk = this.#options.talk;
    let holderTalking = false;
    for (let i = 0; i < n; i++) {
      const p = this.#slots[i];
      const mode = b.mode[i];
      const out = mode === OutputMode.Shared ? b.shared : mode === OutputMode.Personal ? b.outputSlots[i] : this.#silence;
      try {
        const sole = b.sole[i];
        const opus = sole >= 0 ? (this.#slots[sole].port.opusPacket?.() ?? null) : null;
        p.port.writeFrame(out, mode as OutputMode, frameIndex, opus);
      } catch {
        p.portErrors++;
      }
      const level = p.controls.energyLevel ?? this.#options.energyLevel;
      const energy = b.energy[i];
      const change = p.talk.update(energy, level, p.controls.muted, frameMs, talk);
      if (change & TalkChange.Start) this.#events.push(TickEventKind.StartTalking, p.id, energy);
      if (change & TalkChange.Stop) this.#events.push(TickEventKind.StopTalking, p.id);
      if (change & TalkChange.MuteDetect) this.#events.push(TickEventKind.MuteDetect, p.id, energy);
      b.threshold[i] = p.talk.gateThreshold(level);
      p.score = FloorTracker.score(p.score, p.audible ? energy : 0);
      if (p.id === this.#floor.holder) holderTalking = p.audible;
    }
    const previous = this.#floor.holder;
    const holder = this.#floor.decide(n, holderTalking, this.#talkingAt, this.#scoreAt, this.#idAt);
    if (holder !== undefined) this.#events.push(TickEventKind.FloorChange, holder, previous);
    this.stats.record(frameIndex, lateMs, monotonicMs() - started);
  }

  /** Turns queued tick events into event objects; called after the tick, never inside it. */
  drainEvents(): void {
    if (this.#events.size > 0) this.#events.drain(this.#deliver);
    if (this.#injection?.done) {
      this.#injection.close();
      this.#injection = null;
      this.#emit({ name: 'play-end', participantId: null });
    }
    for (const p of this.#slots) {
      if (!p.injection?.done) continue;
      p.injection.close();
      p.injection = null;
      this.#emit({ name: 'play-end', participantId: p.id });
    }
  }

  close(reason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.drainEvents();
    for (const p of [...this.#slots].reverse()) this.removeParticipant(p.id, 'conference-closed');
    this.#injection?.close();
    this.#injection = null;
    this.#emit({ name: 'conference-closed', reason });
  }

  #deliverTickEvent(kind: TickEventKind, a: number, b: number): void {
    switch (kind) {
      case TickEventKind.StartTalking:
        this.#emit({ name: 'start-talking', participantId: a, energy: b });
        break;
      case TickEventKind.StopTalking:
        this.#emit({ name: 'stop-talking', participantId: a });
        break;
      case TickEventKind.MuteDetect:
        this.#emit({ name: 'mute-detect', participantId: a, energy: b });
        break;
      case TickEventKind.FloorChange:
        this.#emit({ name: 'floor-change', participantId: a === -1 ? null : a, previous: b === -1 ? null : b });
        break;
    }
  }

  #get(id: number): ParticipantRuntime {
    const p = this.#byId.get(id);
    if (!p) throw new NotFoundError('participant', id);
    return p;
  }

  #writeControls(p: ParticipantRuntime): void {
    const b = this.#buffers;
    b.inGain[p.slot] = p.inGainQ12;
    b.outGain[p.slot] = p.outGainQ12;
    b.threshold[p.slot] = p.talk.gateThreshold(p.controls.energyLevel ?? this.#options.energyLevel);
  }

  /** Recompiles exclusion lists and coach targets after any change of membership or relation. */
  #rebuildRelations(): void {
    const slotOf = (id: number) => this.#byId.get(id)?.slot;
    const { offsets, list } = this.#relations.compile(this.#slots.length, slotOf);
    this.#buffers.setExclusions(offsets, list);
    for (const p of this.#slots) this.#buffers.coachOf[p.slot] = p.coaching === -1 ? -1 : (slotOf(p.coaching) ?? -1);
  }
}
