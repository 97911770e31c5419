/** Extends a 16-bit sequence number to the value nearest `reference` (handles wrap-around). */
export function unwrapSeq(seq: number, reference: number): number {
  let v = (reference & ~0xffff) | seq;
  if (v - reference > 0x8000) v -= 0x10000;
  else if (reference - v > 0x8000) v += 0x10000;
  return v;
}

/** Extends a 32-bit RTP timestamp to the value nearest `reference`. */
export function unwrapTimestamp(ts: number, reference: number): number {
  const base = Math.floor(reference / 0x100000000) * 0x100000000;
  let v = base + ts;
  if (v - reference > 0x80000000) v -= 0x100000000;
  else if (reference - v > 0x80000000) v += 0x100000000;
  return v;
}
