// roomtone's in-process API.
export { Engine } from './engine/Engine.js';
export { Conference } from './engine/Conference.js';
export { Participant } from './engine/Participant.js';
export type * from './engine/EngineTypes.js';
export type { ConferenceEvent, ParticipantState, LeaveReason } from './conference/ConferenceEvent.js';
export type { ConferenceOptions } from './conference/ConferenceOptions.js';
export type { ParticipantPatch } from './conference/ParticipantOptions.js';
export { MemoryPort } from './ports/MemoryPort.js';
export { FrameRing } from './ports/FrameRing.js';
export * from './errors.js';
