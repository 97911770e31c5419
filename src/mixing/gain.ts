import { MAX_GAIN_Q12, UNITY_GAIN_Q12 } from './flags.js';

/** Converts a gain in dB to the kernel's Q12 integer gain, saturating at +24 dB. */
export function dbToQ12(db: number): number {
  if (db <= -96) return 0;
  return Math.min(MAX_GAIN_Q12, Math.round(UNITY_GAIN_Q12 * 10 ** (db / 20)));
}

export function q12ToDb(q: number): number {
  return q <= 0 ? -Infinity : 20 * Math.log10(q / UNITY_GAIN_Q12);
}
