// The conference document of Kazoo's Conferences API (seeds 000/001) with the ad-hoc fields of
// the callflow element and the conference profile object (seed 003), declared once: the
// validation, the static type and the OpenAPI document all come from here. Unknown fields are
// kept as sent (within the account's document-size quota).
import Type, { type Static } from 'typebox';

const strings = (description: string) => Type.Array(Type.String({ maxLength: 256 }), { description, default: [], maxItems: 100 });

const role = (joinMuted: boolean, who: string) =>
  Type.Object(
    {
      join_deaf: Type.Optional(Type.Boolean({ description: `Determines if a ${who} will join deaf`, default: false })),
      join_muted: Type.Optional(Type.Boolean({ description: `Determines if a ${who} will join muted`, default: joinMuted })),
      numbers: Type.Optional(strings(`Defines the conference (call in) number(s) for ${who}s`)),
      pins: Type.Optional(strings(`Defines the pin number(s) for ${who}s`)),
      play_entry_prompt: Type.Optional(Type.Boolean({ description: `Whether to play the entry prompt on ${who} join` })),
    },
    { description: `Defines the discovery (call in) properties for a ${who}`, default: {} },
  );

const tone = (description: string) => Type.Union([Type.Boolean(), Type.String({ minLength: 1, maxLength: 2048 })], { description });
const sound = (description: string) => Type.Optional(Type.String({ maxLength: 2048, description }));
const integer = (minimum: number, maximum: number, description: string) => Type.Optional(Type.Integer({ minimum, maximum, description }));
const name = (description: string) => Type.Optional(Type.String({ maxLength: 128, description }));

/** Conference profile (seed 003): how the mixer runs this conference. */
export const ConferenceProfile = Type.Object(
  {
    'alone-sound': sound('Audio that plays while you are alone in the conference (default: spoken, then the hold music)'),
    'first-sound': sound('Audio the first participant hears (default: "you are the first participant", then the hold music)'),
    'announce-count': integer(0, 10000, 'Play member count to conference when above this threshold'),
    'caller-controls': name('Name of the caller control group'),
    'comfort-noise': integer(0, 4096, 'The volume level of background white noise'),
    'energy-level': integer(0, 32767, 'Energy level required for audio to be sent to other users'),
    'enter-sound': sound('Audio to play when entering a conference'),
    'exit-sound': sound('Audio to play when exiting a conference'),
    interval: integer(10, 40, 'Milliseconds per frame (10, 20 or 40)'),
    'locked-sound': sound('Audio to play when the conference is locked'),
    'max-members': integer(1, 10000, 'Set the maximum number of members in the conference'),
    'max-members-sound': sound('If max-members has been reached, audio to play to caller instead of joining the conference'),
    'moderator-controls': name('Name of the moderator control group to use'),
    'moh-sound': sound('Audio to play, on a loop, while participant count is 1'),
    'muted-sound': sound('Audio to play when muted'),
    rate: integer(8000, 48000, 'Audio sample rate (8000, 16000, 24000 or 48000)'),
    'unmuted-sound': sound('Audio to play when unmuted'),
    'pin-sound': sound('Audio asking for the PIN (default: spoken, in the conference language)'),
    'bad-pin-sound': sound('Audio after a wrong PIN (default: spoken)'),
    'welcome-sound': sound('Audio welcoming a caller when play_welcome is set (default: spoken)'),
  },
  { description: 'Profile configuration' },
);

/** The Twilio/SignalWire events a status callback may ask for. */
export const STATUS_CALLBACK_EVENTS = [
  'conference-start', 'conference-end', 'participant-join', 'participant-leave', 'participant-mute', 'participant-unmute',
  'participant-hold', 'participant-unhold', 'participant-speech-start', 'participant-speech-stop',
] as const;

/** A callback URL of the document with its method and the events it asks for. */
const callback = (events: readonly string[], description: string, eventsDescription: string) =>
  Type.Object(
    {
      url: Type.String({ minLength: 8, maxLength: 2048, description: 'An http(s) URL (public addresses only, unless --fetch-allow)' }),
      method: Type.Optional(Type.Enum(['POST', 'GET'], { default: 'POST' })),
      events: Type.Optional(Type.Array(Type.Enum(events), { maxItems: events.length, description: eventsDescription })),
    },
    { description },
  );

/** The recording states a recordingStatusCallback may ask for. */
export const RECORDING_STATUS_EVENTS = ['in-progress', 'completed', 'absent'] as const;

export const ConferenceDocument = Type.Object(
  {
    bridge_password: Type.Optional(Type.String({ maxLength: 256, description: 'the password used for a conference bridge' })),
    bridge_username: Type.Optional(Type.String({ maxLength: 256, description: 'the username used for a conference bridge' })),
    caller_controls: name('caller controls (config settings)'),
    conference_numbers: Type.Optional(strings('Defines conference numbers that can be used by members or moderators')),
    controls: Type.Optional(Type.Object({}, { description: 'controls' })),
    domain: Type.Optional(Type.String({ maxLength: 256, description: 'domain' })),
    flags: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100, description: 'Flags set by external applications' })),
    focus: Type.Optional(Type.String({ maxLength: 256, description: 'This is a read-only property indicating the media server hosting the conference' })),
    language: Type.Optional(Type.String({ maxLength: 32, description: 'Prompt language: en, fr, de or es (en-us, fr-ca... map to their language; others are English)' })),
    max_members_media: sound('Media to play when the conference is full'),
    max_participants: integer(1, 10000, 'The maximum number of participants that can join'),
    member: Type.Optional(role(true, 'member')),
    moderator: Type.Optional(role(false, 'moderator')),
    moderator_controls: name('profile on the switch for controlling the conference as a moderator'),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'A friendly name for the conference' })),
    owner_id: Type.Optional(Type.String({ minLength: 32, maxLength: 32, description: 'The user ID who manages this conference' })),
    play_entry_tone: Type.Optional(tone('Whether to play an entry tone, or the entry tone to play')),
    play_exit_tone: Type.Optional(tone('Whether to play an exit tone, or the exit tone to play')),
    play_name: Type.Optional(Type.Boolean({ description: 'Do we need to announce new conference members?', default: false })),
    play_welcome: Type.Optional(Type.Boolean({ description: 'Whether to play the welcome prompt' })),
    welcome_prompt: sound('The welcome prompt: a media id, URL or tone_stream (default: spoken)'),
    profile: Type.Optional(
      Type.Union([ConferenceProfile, Type.String({ minLength: 1, maxLength: 128 })], {
        description: "The profile: its fields, or the name of one of the account's conference_profiles",
      }),
    ),
    profile_name: name("The name of one of the account's conference_profiles (its fields under this document's own profile fields)"),
    require_moderator: Type.Optional(Type.Boolean({ description: 'does the conference require a moderator' })),
    wait_for_moderator: Type.Optional(Type.Boolean({ description: 'should members wait for a moderator before joining the conference' })),
    ui_metadata: Type.Optional(Type.Object({}, { description: 'Free-form data of the user interface' })),
    record: Type.Optional(Type.Boolean({ description: 'Record the conference from its start, once two parties are in (Twilio record-from-start)' })),
    trim: Type.Optional(Type.Enum(['trim-silence', 'do-not-trim'], { description: "Twilio's trim: cut leading and trailing silence from the record-from-start recording" })),
    recording_status_callback: Type.Optional(
      callback(RECORDING_STATUS_EVENTS, 'SignalWire/Twilio recordingStatusCallback, recordingStatusCallbackMethod and recordingStatusCallbackEvent', 'Which: in-progress, completed, absent; completed when absent'),
    ),
    event_callback_url: Type.Optional(Type.String({ minLength: 8, maxLength: 2048, description: 'SignalWire eventCallbackUrl: POSTed when the conference ends' })),
    status_callback: Type.Optional(callback(STATUS_CALLBACK_EVENTS, 'SignalWire/Twilio statusCallback', 'Events to send; all of them when absent')),
  },
  { description: 'Schema for conferences' },
);
export type ConferenceDocumentData = Static<typeof ConferenceDocument>;

