// Per-SSRC stream bookkeeping for SRTP: a bounded table of stream state (a remote party picks the
// SSRCs, so it must not grow without limit) and RFC 3711's packet index estimation.

/** Largest SRTP packet index: 32-bit ROC and 16-bit SEQ (RFC 3711 §3.3.1). */
export const MAX_RTP_INDEX = 2 ** 48 - 1;

/** Least-recently-used table of per-SSRC state. */
export class SsrcTable<V> {
  readonly #map = new Map<number, V>();
  #recent = -1;
  constructor(readonly limit: number) {}
  get size(): number {
    return this.#map.size;
  }
  get(ssrc: number): V | undefined {
    return this.#map.get(ssrc);
  }
  /** Records `ssrc` as just used, adding it if new and evicting the least recently used past the limit. */
  use(ssrc: number, value: V): void {
    if (this.#recent === ssrc) return;
    this.#recent = ssrc;
    if (!this.#map.delete(ssrc) && this.#map.size >= this.limit) this.#map.delete(this.#map.keys().next().value as number);
    this.#map.set(ssrc, value);
  }
}

/** RFC 3711 §3.3.1 / Appendix A: the packet index of `seq` given the highest index seen (-1: none). */
export function estimateRtpIndex(highest: number, seq: number): number {
  if (highest < 0) return seq;
  const roc = Math.floor(highest / 65536);
  const sl = highest % 65536;
  let v = roc;
  if (sl < 32768) {
    if (seq - sl > 32768) v = roc - 1;
  } else if (sl - 32768 > seq) {
    v = roc + 1;
  }
  return v * 65536 + seq;
}
