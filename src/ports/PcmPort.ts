import type { OutputMode } from '../mixing/flags.js';

/**
 * What a participant's media looks like to the conference: PCM frames in the conference's
 * format, pulled once per tick and pushed once per tick. RTP, WebRTC and in-memory ports
 * implement it; the conference never knows which.
 */
export interface PcmPort {
  /**
   * Copies the next frame into `dst`. Returns false when there is no audio this tick. `gate` is
   * the mean |sample| under which the conference will not hear this frame: a port that knows a
   * frame is quieter (RFC 6464 levels) may skip decoding it and return silence.
   */
  readFrame(dst: Int16Array, gate: number): boolean;
  /**
   * The Opus packet this tick's frame was decoded from, when the frame is exactly that packet;
   * else null. Read during the tick, after readFrame.
   */
  opusPacket?(): Uint8Array | null;
  /**
   * Delivers this tick's output. `frame` is valid only during the call (it is a view into the
   * conference's buffers); `frameIndex` is the clock's grid index, for timestamps. `opus`, when
   * not null, is an Opus packet whose audio is exactly `frame` (the listener hears one
   * participant, unaltered): a port may send it instead of encoding `frame`.
   */
  writeFrame(frame: Int16Array, mode: OutputMode, frameIndex: number, opus?: Uint8Array | null): void;
  close(): void;
  /** Set by the conference: the port ended by itself (media timeout, remote BYE). */
  onEnded?: (reason: 'media-timeout' | 'port-closed') => void;
  /** Set by the conference: a DTMF digit arrived (RFC 4733). */
  onDtmf?: (digit: string, durationMs: number) => void;
}

/** A source of injected audio (tones, media, a test's frames), read once per tick. */
export interface FrameSource {
  /** Copies the next frame into `dst`; false when it has nothing this tick. */
  readFrame(dst: Int16Array): boolean;
  /** True once a finite source has played to its end (tones, media); live feeds never end. */
  readonly done?: boolean;
  close(): void;
}
