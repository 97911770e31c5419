// What a join asks for, declared once: the REST door validates a POST .../participants body
// with it, the service takes its static type, and the OpenAPI document shows it.
import Type, { type Static } from 'typebox';
import { ConferenceDocument } from './conferenceDocument.js';

export const JoinRequest = Type.Object({
  sdp: Type.Optional(Type.String({ minLength: 1, maxLength: 65536, description: "The endpoint's SDP offer; without it the answer carries roomtone's offer" })),
  moderator: Type.Optional(Type.Boolean({ default: false })),
  pin: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  caller_id_name: Type.Optional(Type.String({ maxLength: 128 })),
  caller_id_number: Type.Optional(Type.String({ maxLength: 64 })),
  call_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  custom_channel_vars: Type.Optional(
    Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 256 }), Type.Number(), Type.Boolean()]), {
      maxProperties: 32,
      description: "Kazoo's channel variables of the call (realm, presence_id, owner_id, ...), echoed in its events",
    }),
  ),
  config: Type.Optional(ConferenceDocument),
  muted: Type.Optional(Type.Boolean({ description: "Join muted or unmuted, whatever the role's default" })),
  collect_pin: Type.Optional(Type.Boolean({ description: 'Ask for a pin by DTMF (ending with #) before joining; three tries' })),
  pin_checked: Type.Optional(
    Type.Boolean({
      description: "The caller's door already checked the PIN (an IVR): join in the role asked without one. Without it, a role with pins has its PIN collected by DTMF",
    }),
  ),
  coach: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 128 })], {
      description: 'The participant this one coaches (only it hears this participant): its participant id or its call id (a Twilio call SID)',
    }),
  ),
  end_conference_on_exit: Type.Optional(Type.Boolean({ description: 'Twilio endConferenceOnExit: the conference ends when this participant leaves' })),
  start_conference_on_enter: Type.Optional(Type.Boolean({ description: 'Twilio startConferenceOnEnter: false waits (hold music) until someone starts it' })),
  marked: Type.Optional(Type.Boolean({ description: "XiVO's marked participant" })),
  leave_when_last_marked_leave: Type.Optional(Type.Boolean({ description: 'Leave when the last marked participant leaves' })),
  beep: Type.Optional(
    Type.Union([Type.Boolean(), Type.Enum(['true', 'false', 'onEnter', 'onExit'])], { description: "Twilio's beep: true, false, onEnter, onExit" }),
  ),
});
export type JoinRequest = Static<typeof JoinRequest>;
