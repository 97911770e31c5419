import { InvalidArgumentError } from '../errors.js';

/** The control settings of one participant; every field may change while it is in the conference. */
export interface ParticipantControls {
  muted: boolean;
  deaf: boolean;
  held: boolean;
  /** Gate and talk threshold (mean |sample|); undefined uses the conference's. */
  energyLevel: number | undefined;
  inputGainDb: number;
  outputGainDb: number;
}

export type ParticipantPatch = Partial<ParticipantControls>;

export const DEFAULT_PARTICIPANT_CONTROLS: ParticipantControls = {
  muted: false,
  deaf: false,
  held: false,
  energyLevel: undefined,
  inputGainDb: 0,
  outputGainDb: 0,
};

const GAIN_RANGE_DB = 24;

/** Checks a patch from any caller before it reaches the conference. */
export function validateParticipantPatch(patch: ParticipantPatch): ParticipantPatch {
  for (const key of ['muted', 'deaf', 'held'] as const) {
    if (patch[key] !== undefined && typeof patch[key] !== 'boolean') {
      throw new InvalidArgumentError(key, 'must be a boolean');
    }
  }
  for (const key of ['inputGainDb', 'outputGainDb'] as const) {
    const v = patch[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > GAIN_RANGE_DB)) {
      throw new InvalidArgumentError(key, `must be a number from -${GAIN_RANGE_DB} to ${GAIN_RANGE_DB}`);
    }
  }
  const e = patch.energyLevel;
  if (e !== undefined && (!Number.isInteger(e) || e < 0 || e > 32767)) {
    throw new InvalidArgumentError('energyLevel', 'must be an integer from 0 to 32767');
  }
  const known = new Set(Object.keys(DEFAULT_PARTICIPANT_CONTROLS));
  for (const key of Object.keys(patch)) {
    if (!known.has(key)) throw new InvalidArgumentError(key, 'is not a participant setting');
  }
  return patch;
}
