// RFC 6464 lets a sender tell the mixer how loud each packet is before anyone decodes it. The
// conference gates on the mean |sample| of the decoded frame; since mean |x| <= RMS for any
// signal, a packet whose stated RMS is under the gate cannot open it, so decoding it for the mix
// would be wasted work. The table holds, for each level, the loudest RMS that level can stand
// for: half a dB of rounding in the sender's figure plus 1 dB for what the codec adds back.

/** No level: the packet must be decoded. */
export const NO_LEVEL = -1;

const MAX_RMS = new Float64Array(128);
for (let level = 0; level < 128; level++) MAX_RMS[level] = 32768 * 10 ** (-(level - 0.5 - 1) / 20);
// 127 is "digital silence or quieter" (RFC 6464 §3): anything at all may round to it.
MAX_RMS[127] = MAX_RMS[126];

/**
 * True when a packet with this RFC 6464 level (0-127, -dBov; NO_LEVEL for none) is sure to stay
 * under a gate of `gate` (mean |sample| of the decoded frame, in the stream's own scale).
 */
export function underGate(level: number, gate: number): boolean {
  return level >= 0 && MAX_RMS[level] < gate;
}
