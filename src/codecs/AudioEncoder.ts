/** A per-stream encoder as the outbound stream uses it; Opus and G.711 implement it. */
export interface AudioEncoder {
  /** The RTP encoding name ('opus', 'PCMU', 'PCMA'). */
  readonly name: string;
  /** Rate of the PCM it takes. */
  readonly clockRate: number;
  /** RTP timestamp units per second. */
  readonly rtpClockRate: number;
  /** Packet durations it can encode, in ms. */
  readonly ptimes: readonly number[];
  /** Encodes one packet's PCM into a payload (valid until the next call). */
  encode(pcm: Int16Array): Uint8Array;
}
