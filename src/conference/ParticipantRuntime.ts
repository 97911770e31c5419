import { Flag } from '../mixing/flags.js';
import { dbToQ12 } from '../mixing/gain.js';
import type { FrameSource, PcmPort } from '../ports/PcmPort.js';
import type { ParticipantControls } from './ParticipantOptions.js';
import { TalkDetector } from './TalkDetector.js';

/** One participant inside a running conference: its port, controls and per-tick state. */
export class ParticipantRuntime {
  readonly id: number;
  readonly port: PcmPort;
  readonly joinedAt = Date.now();
  readonly talk = new TalkDetector();
  controls: ParticipantControls;
  slot = -1;
  /** Participant id this one coaches, or -1. */
  coaching = -1;
  injection: FrameSource | null = null;
  /** Smoothed energy for the floor. */
  score = 0;
  /** Muted/deaf/held bits, recomputed on control changes; the tick adds the per-frame bits. */
  baseFlags = 0;
  inGainQ12 = 4096;
  outGainQ12 = 4096;
  portErrors = 0;

  constructor(id: number, port: PcmPort, controls: ParticipantControls) {
    this.id = id;
    this.port = port;
    this.controls = controls;
    this.applyControls(controls);
  }

  applyControls(controls: ParticipantControls): void {
    this.controls = controls;
    this.baseFlags = (controls.muted ? Flag.Muted : 0) | (controls.deaf ? Flag.Deaf : 0) | (controls.held ? Flag.Held : 0);
    this.inGainQ12 = dbToQ12(controls.inputGainDb);
    this.outGainQ12 = dbToQ12(controls.outputGainDb);
  }

  /** Whether this participant may hold the floor: talking and heard. */
  get audible(): boolean {
    return this.talk.talking && !this.controls.muted && !this.controls.held;
  }
}
