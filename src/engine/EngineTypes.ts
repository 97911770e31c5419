import type { ConferenceEvent, LeaveReason, ParticipantState } from '../conference/ConferenceEvent.js';
import type { ConferenceOptions } from '../conference/ConferenceOptions.js';
import type { ParticipantPatch } from '../conference/ParticipantOptions.js';
import type { MemoryPort } from '../ports/MemoryPort.js';
import type { PortSpec } from '../host/specs.js';
import type { MediaConfig } from '../host/MediaConfig.js';
import type { SrtpSuite } from '../srtp/SrtpSuite.js';

export interface EngineOptions {
  /** Media worker threads; 0 runs conferences on the calling thread. Default: one per core. */
  workers?: number;
  /** RTP addresses, ports and timeouts. */
  media?: Partial<MediaConfig>;
  /** Where media threads log (packet drops, socket errors). Default stderr. */
  logging?: 'stderr' | 'silent';
}

export interface CreateConferenceOptions extends Partial<ConferenceOptions> {
  /** Defaults to a random id. */
  id?: string;
}

export interface AddParticipantOptions extends ParticipantPatch {
  /**
   * Where the participant's audio comes from and goes to: a MemoryPort, or RTP. For RTP pass
   * `sdp` (the remote offer: the participant gets our answer) or nothing (dial-out: the
   * participant gets our offer and waits for answer()).
   */
  port?: MemoryPort | PortSpec;
  sdp?: string;
  /** SRTP suite for our own offer (dial-out); plain RTP by default. */
  srtp?: SrtpSuite | false;
}

type EventTuples<E extends { name: string }> = { [K in E['name']]: [Extract<E, { name: K }>] };

export type ConferenceEvents = EventTuples<ConferenceEvent> & {
  close: [reason: string];
  listenererror: [error: unknown, event: string];
};

export interface ParticipantEvents {
  'start-talking': [energy: number];
  'stop-talking': [];
  'mute-detect': [energy: number];
  dtmf: [digit: string, durationMs: number];
  'play-end': [];
  updated: [state: ParticipantState];
  close: [reason: LeaveReason];
  listenererror: [error: unknown, event: string];
}

export interface EngineEvents {
  'conference-created': [id: string];
  'conference-closed': [id: string];
  'host-failed': [error: Error];
  listenererror: [error: unknown, event: string];
}
