import type { ConferenceEvent, LeaveReason, ParticipantState } from '../conference/ConferenceEvent.js';
import type { ConferenceOptions } from '../conference/ConferenceOptions.js';
import type { ParticipantPatch } from '../conference/ParticipantOptions.js';
import type { MemoryPort } from '../ports/MemoryPort.js';
import type { PortSpec } from '../ports/specs.js';

export interface EngineOptions {
  /** Media worker threads; 0 runs conferences on the calling thread. Default: one per core. */
  workers?: number;
}

export interface CreateConferenceOptions extends Partial<ConferenceOptions> {
  /** Defaults to a random id. */
  id?: string;
}

export interface AddParticipantOptions extends ParticipantPatch {
  /** Where the participant's audio comes from and goes to. */
  port: MemoryPort | PortSpec;
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
