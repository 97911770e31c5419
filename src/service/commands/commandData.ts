// Command data shapes that several rows share, each declared once.
import Type from 'typebox';

export const None = Type.Object({});

/** XiVO: the participant asking, whose organizer rights are checked. */
export const AsParticipant = Type.Object({ as_participant: Type.Optional(Type.Integer({ minimum: 1 })) });

export const MediaId = Type.Object({ media_id: Type.String({ minLength: 1, maxLength: 2048 }) });

export const Sdp = Type.Object({ sdp: Type.String({ minLength: 1, maxLength: 65536 }) });

/** A participant named by its id, as a number or a string of digits. */
export const ParticipantRef = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 16 })]);
