type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc => (typeof v === 'object' && v !== null ? (v as Doc) : {});

/**
 * roomtone's own sounds where a document names none: tones for the beeps and the hold music,
 * spoken prompts (in the conference's language, see prompts/) for what a caller must understand.
 */
export const DEFAULT_SOUNDS = {
  enter: 'tone_stream://%(150,0,880)',
  exit: 'tone_stream://%(150,0,440)',
  moh: 'tone_stream://%(400,400,350,440);loops=-1',
  // Said once, then the hold music (see ConferenceRules).
  first: 'prompt://first',
  alone: 'prompt://alone',
  locked: 'prompt://locked',
  full: 'prompt://full',
  muted: 'prompt://muted',
  unmuted: 'prompt://unmuted',
  pin: 'prompt://pin_request',
  badPin: 'prompt://pin_wrong,pin_request',
  welcome: 'prompt://welcome',
} as const;

export type SoundName = keyof typeof DEFAULT_SOUNDS;

const PROFILE_KEY: Record<SoundName, string> = {
  enter: 'enter-sound',
  exit: 'exit-sound',
  moh: 'moh-sound',
  alone: 'alone-sound',
  first: 'first-sound',
  locked: 'locked-sound',
  full: 'max-members-sound',
  muted: 'muted-sound',
  unmuted: 'unmuted-sound',
  pin: 'pin-sound',
  badPin: 'bad-pin-sound',
  welcome: 'welcome-sound',
};

/** The sound a conference plays for `name`: its profile's, else ours. */
export function sound(doc: Doc, name: SoundName): string {
  if (name === 'full' && typeof doc.max_members_media === 'string') return doc.max_members_media;
  if (name === 'welcome' && typeof doc.welcome_prompt === 'string' && doc.welcome_prompt !== '') return doc.welcome_prompt;
  const own = obj(doc.profile)[PROFILE_KEY[name]];
  return typeof own === 'string' && own.length > 0 ? own : DEFAULT_SOUNDS[name];
}

/**
 * play_entry_tone / play_exit_tone: true plays our tone, false nothing, a string is the tone or
 * media to play. Absent: the tone plays (FreeSWITCH's default), unless Twilio's beep says otherwise.
 */
export function toneFor(doc: Doc, which: 'entry' | 'exit', beep: string | undefined): string | null {
  const field = doc[which === 'entry' ? 'play_entry_tone' : 'play_exit_tone'];
  if (beep !== undefined) {
    const on = beep === 'true' || (beep === 'onEnter' && which === 'entry') || (beep === 'onExit' && which === 'exit');
    if (!on) return null;
  }
  if (field === false) return null;
  if (typeof field === 'string') return field;
  return sound(doc, which === 'entry' ? 'enter' : 'exit');
}

const PROMPT_SCHEME = 'prompt://';

/** A spoken prompt's media string: `prompt://there_are,n12,participants` plays those prompts in turn. */
export const promptMedia = (names: readonly string[]): string => `${PROMPT_SCHEME}${names.join(',')}`;

/** The prompts a media string names, or undefined when it is not a prompt. */
export const promptNames = (media: string): string[] | undefined =>
  media.startsWith(PROMPT_SCHEME) ? media.slice(PROMPT_SCHEME.length).split(',') : undefined;
