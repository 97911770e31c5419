/** What a DTMF digit does to the participant who pressed it. */
export type ControlAction =
  | 'mute-toggle'
  | 'deaf-mute-toggle'
  | 'talk-down'
  | 'talk-reset'
  | 'talk-up'
  | 'listen-down'
  | 'listen-reset'
  | 'listen-up'
  | 'energy-down'
  | 'energy-reset'
  | 'energy-up'
  | 'hangup';

/** FreeSWITCH's default caller-control group. */
const DEFAULT: Record<string, ControlAction> = {
  '0': 'mute-toggle',
  '*': 'deaf-mute-toggle',
  '1': 'talk-down',
  '2': 'talk-reset',
  '3': 'talk-up',
  '4': 'listen-down',
  '5': 'listen-reset',
  '6': 'listen-up',
  '7': 'energy-down',
  '8': 'energy-reset',
  '9': 'energy-up',
  '#': 'hangup',
};

/** Control groups by name, as `caller_controls` / `moderator_controls` name them. */
export const CONTROL_GROUPS: Record<string, Record<string, ControlAction>> = { default: DEFAULT, none: {} };

/** FreeSWITCH's caller-control action names (a caller_controls group uses them), as ours. */
export const FREESWITCH_ACTIONS: Readonly<Record<string, ControlAction>> = {
  mute: 'mute-toggle',
  'deaf mute': 'deaf-mute-toggle',
  'energy up': 'energy-up',
  'energy equ': 'energy-reset',
  'energy dn': 'energy-down',
  'vol talk up': 'talk-up',
  'vol talk zero': 'talk-reset',
  'vol talk dn': 'talk-down',
  'vol listen up': 'listen-up',
  'vol listen zero': 'listen-reset',
  'vol listen dn': 'listen-down',
  hangup: 'hangup',
};

/** Where a conference carries the account's own caller-control groups it names (set by the service). */
export const ACCOUNT_GROUPS_KEY = '_control_groups';

type Doc = Record<string, unknown>;

/** The group a participant's digits go through: the document's, else the profile's, else default. */
export function controlsFor(doc: Doc, moderator: boolean): Record<string, ControlAction> {
  const profile = (typeof doc.profile === 'object' && doc.profile !== null ? doc.profile : {}) as Doc;
  const name = moderator
    ? (doc.moderator_controls ?? profile['moderator-controls'] ?? doc.caller_controls ?? profile['caller-controls'])
    : (doc.caller_controls ?? profile['caller-controls']);
  const key = typeof name === 'string' ? name : 'default';
  const own = (doc[ACCOUNT_GROUPS_KEY] ?? {}) as Record<string, Record<string, ControlAction>>;
  return (Object.hasOwn(own, key) ? own[key] : CONTROL_GROUPS[key]) ?? DEFAULT;
}

/** Volume steps in dB and energy steps in mean |sample|, as FreeSWITCH moves them. */
export const GAIN_STEP_DB = 3;
export const GAIN_LIMIT_DB = 12;
export const ENERGY_STEP = 50;
