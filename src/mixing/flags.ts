// Participant flag bits and output modes; the same values as native/mixing/flags.h.

export const Flag = {
  Muted: 1,
  Deaf: 2,
  Held: 4,
  HasInput: 8,
  Inject: 16,
} as const;

export const OutputMode = {
  /** No mix for this listener this tick: the sender sends silence. */
  Silent: 0,
  /** The listener hears the shared mix slot. */
  Shared: 1,
  /** The listener's own output slot holds its personal mix. */
  Personal: 2,
} as const;
export type OutputMode = (typeof OutputMode)[keyof typeof OutputMode];

export const UNITY_GAIN_Q12 = 4096;
export const UNITY_GAIN_Q16 = 65536;
/** Largest Q12 gain the kernel accepts (+24 dB); keeps int16 x gain inside int32. */
export const MAX_GAIN_Q12 = 65535;
/** The limiter's ceiling: -1 dBFS. */
export const DEFAULT_LIMITER_THRESHOLD = 29204;
/** Limiter release per 1 ms sub-frame: full recovery in 200 ms. */
export const DEFAULT_LIMITER_RELEASE_Q16 = Math.floor(UNITY_GAIN_Q16 / 200);
export const MAX_TOP_K = 64;
