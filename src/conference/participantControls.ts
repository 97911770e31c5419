// The participant control verbs, declared once: each names the patch of the participant's
// controls it applies. The engine's Participant.control(), the service's command rows (REST,
// websocket) and the DTMF caller controls all reach the kernel's flags through this table.
import type { ParticipantPatch } from './ParticipantOptions.js';

export const PARTICIPANT_CONTROLS = {
  mute: { patch: { muted: true }, description: 'nobody hears the participant' },
  unmute: { patch: { muted: false }, description: 'the participant is heard again' },
  deaf: { patch: { deaf: true }, description: 'the participant hears nobody' },
  undeaf: { patch: { deaf: false }, description: 'the participant hears the conference again' },
  hold: { patch: { held: true }, description: 'on hold: the participant hears hold music and nobody hears it' },
  unhold: { patch: { held: false }, description: 'off hold' },
} as const satisfies Record<string, { patch: ParticipantPatch; description: string }>;

export type ParticipantControl = keyof typeof PARTICIPANT_CONTROLS;

export const isParticipantControl = (name: string): name is ParticipantControl => Object.hasOwn(PARTICIPANT_CONTROLS, name);
