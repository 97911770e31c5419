/** A per-stream decoder as the inbound stream uses it; Opus and G.711 implement it. */
export interface AudioDecoder {
  /** The RTP encoding name ('opus', 'PCMU', 'PCMA'): packets pass unchanged between equal names. */
  readonly name: string;
  /** Rate of the PCM it produces. */
  readonly clockRate: number;
  /** RTP timestamp units per second. */
  readonly rtpClockRate: number;
  /** Decoded samples of one payload, or null when the payload is malformed. Valid until the next call. */
  decode(payload: Uint8Array): Int16Array | null;
  /** One frame of concealment (the duration of the last decoded packet). */
  conceal(): Int16Array;
  /** True for payloads that carry no speech (Opus DTX, comfort noise): played as silence, not loss. */
  isSilence(payload: Uint8Array): boolean;
  /** Samples (at clockRate) a payload decodes to, read from its header alone; 0 if unknown. */
  samplesOf(payload: Uint8Array): number;
  reset(): void;
}
