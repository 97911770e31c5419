// The conference document of Kazoo's Conferences API (seeds 000/001) with the ad-hoc fields of
// the callflow element and the conference profile object (seed 003).
import { s, type Schema } from './Schema.js';

const strings = (description: string) => s.array(s.string({ max: 256 }), { description, default: [], max: 100 });

const role = (joinMuted: boolean, who: string) =>
  s.object(
    {
      join_deaf: s.boolean({ description: `Determines if a ${who} will join deaf`, default: false }),
      join_muted: s.boolean({ description: `Determines if a ${who} will join muted`, default: joinMuted }),
      numbers: strings(`Defines the conference (call in) number(s) for ${who}s`),
      pins: strings(`Defines the pin number(s) for ${who}s`),
      play_entry_prompt: s.boolean({ description: `Whether to play the entry prompt on ${who} join` }),
    },
    { description: `Defines the discovery (call in) properties for a ${who}`, default: {} },
  );

const tone = (description: string) => s.union([s.boolean(), s.string({ min: 1, max: 2048 })], { description });

/** Conference profile (seed 003): how the mixer runs this conference. */
export const profileSchema: Schema = s.object(
  {
    'alone-sound': s.string({ max: 2048, description: 'Audio that plays while you are alone in the conference' }),
    'announce-count': s.integer({ min: 0, max: 10000, description: 'Play member count to conference when above this threshold' }),
    'caller-controls': s.string({ max: 128, description: 'Name of the caller control group' }),
    'comfort-noise': s.integer({ min: 0, max: 4096, description: 'The volume level of background white noise' }),
    'energy-level': s.integer({ min: 0, max: 32767, description: 'Energy level required for audio to be sent to other users' }),
    'enter-sound': s.string({ max: 2048, description: 'Audio to play when entering a conference' }),
    'exit-sound': s.string({ max: 2048, description: 'Audio to play when exiting a conference' }),
    interval: s.integer({ min: 10, max: 40, description: 'Milliseconds per frame (10, 20 or 40)' }),
    'locked-sound': s.string({ max: 2048, description: 'Audio to play when the conference is locked' }),
    'max-members': s.integer({ min: 1, max: 10000, description: 'Set the maximum number of members in the conference' }),
    'max-members-sound': s.string({ max: 2048, description: 'If max-members has been reached, audio to play to caller instead of joining the conference' }),
    'moderator-controls': s.string({ max: 128, description: 'Name of the moderator control group to use' }),
    'moh-sound': s.string({ max: 2048, description: 'Audio to play, on a loop, while participant count is 1' }),
    'muted-sound': s.string({ max: 2048, description: 'Audio to play when muted' }),
    rate: s.integer({ min: 8000, max: 48000, description: 'Audio sample rate (8000, 16000, 24000 or 48000)' }),
    'unmuted-sound': s.string({ max: 2048, description: 'Audio to play when unmuted' }),
  },
  { description: 'Profile configuration' },
);

export const conferenceSchema: Schema = s.object(
  {
    bridge_password: s.string({ max: 256, description: 'the password used for a conference bridge' }),
    bridge_username: s.string({ max: 256, description: 'the username used for a conference bridge' }),
    caller_controls: s.string({ max: 128, description: 'caller controls (config settings)' }),
    conference_numbers: strings('Defines conference numbers that can be used by members or moderators'),
    controls: s.object({}, { description: 'controls' }),
    domain: s.string({ max: 256, description: 'domain' }),
    flags: s.array(s.string({ max: 256 }), { max: 100, description: 'Flags set by external applications' }),
    focus: s.string({ max: 256, description: 'This is a read-only property indicating the media server hosting the conference' }),
    language: s.string({ max: 32, description: 'Prompt language to play in the conference' }),
    max_members_media: s.string({ max: 2048, description: 'Media to play when the conference is full' }),
    max_participants: s.integer({ min: 1, max: 10000, description: 'The maximum number of participants that can join' }),
    member: role(true, 'member'),
    moderator: role(false, 'moderator'),
    moderator_controls: s.string({ max: 128, description: 'profile on the switch for controlling the conference as a moderator' }),
    name: s.string({ min: 1, max: 128, description: 'A friendly name for the conference' }),
    owner_id: s.string({ min: 32, max: 32, description: 'The user ID who manages this conference' }),
    play_entry_tone: tone('Whether to play an entry tone, or the entry tone to play'),
    play_exit_tone: tone('Whether to play an exit tone, or the exit tone to play'),
    play_name: s.boolean({ description: 'Do we need to announce new conference members?', default: false }),
    play_welcome: s.boolean({ description: 'Whether to play the welcome prompt' }),
    profile: profileSchema,
    profile_name: s.string({ max: 128, description: 'conference profile name' }),
    require_moderator: s.boolean({ description: 'does the conference require a moderator' }),
    wait_for_moderator: s.boolean({ description: 'should members wait for a moderator before joining the conference' }),
    ui_metadata: s.object({}, { description: 'Free-form data of the user interface' }),
    record: s.boolean({ description: 'Record the conference from its start (Twilio record-from-start)' }),
    status_callback: s.object(
      {
        url: s.string({ min: 8, max: 2048, description: 'http(s) URL receiving Twilio-style status callbacks' }),
        method: s.string({ enum: ['POST', 'GET'], default: 'POST' }),
        events: s.array(
          s.string({
            enum: [
              'conference-start', 'conference-end', 'participant-join', 'participant-leave', 'participant-mute', 'participant-unmute',
              'participant-hold', 'participant-unhold', 'participant-speech-start', 'participant-speech-stop',
            ],
          }),
          { max: 10, description: 'Events to send; all of them when absent' },
        ),
      },
      { required: ['url'], description: 'SignalWire/Twilio statusCallback' },
    ),
  },
  { description: 'Schema for conferences' },
);
