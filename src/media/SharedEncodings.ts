import type { AudioEncoder } from '../codecs/AudioEncoder.js';
import { Resampler } from '../codecs/Resampler.js';
import { isDigitalSilence } from './digitalSilence.js';

const MAX_PAYLOAD = 1500;

/** One encoder fed with the conference's shared mix, once per tick. */
class SharedEncoder {
  readonly #encoder: AudioEncoder;
  readonly #resampler: Resampler | null;
  readonly #resampled: Int16Array;
  readonly #payload = new Uint8Array(MAX_PAYLOAD);
  /** The last tick's shared PCM at the codec rate, to warm a personal encoder taking over. */
  readonly lastPcm: Int16Array;
  #view: Uint8Array = this.#payload.subarray(0, 0);
  #frameIndex = -1;

  constructor(encoder: AudioEncoder, rate: number, frameSamples: number) {
    this.#encoder = encoder;
    this.#resampler = encoder.clockRate === rate ? null : new Resampler(rate, encoder.clockRate, frameSamples);
    this.#resampled = new Int16Array((frameSamples * encoder.clockRate) / rate);
    this.lastPcm = new Int16Array(this.#resampled.length);
  }

  payload(frame: Int16Array, frameIndex: number, stats: SharedEncodingStats, forwarded: ForwardedFrame): Uint8Array {
    if (frameIndex === this.#frameIndex) {
      stats.reused++;
      return this.#view;
    }
    if (this.#frameIndex < frameIndex - 1 && forwarded.index === frameIndex - 1 && this.#resampler === null) {
      // Our listeners were sent a participant's own packet last tick (and this encoder is new
      // or has been idle): encode what it held (discarded), so that this packet continues from
      // what their decoders just played.
      this.#encoder.encode(forwarded.pcm);
      stats.warmUps++;
    }
    let pcm = frame;
    if (this.#resampler !== null) {
      this.#resampler.process(frame, this.#resampled);
      pcm = this.#resampled;
    }
    this.lastPcm.set(pcm);
    const encoded = this.#encoder.encode(pcm);
    this.#payload.set(encoded);
    this.#view = this.#payload.subarray(0, encoded.length);
    this.#frameIndex = frameIndex;
    stats.encoded++;
    return this.#view;
  }
}

/**
 * What an encoder sends for digital silence. Most settings (CELT) turn every silent frame into
 * the same few bytes, found by encoding a few silent frames up front: that packet is then
 * sent without encoding anything. Otherwise (SILK and hybrid keep changing state) a shared
 * encoder is fed silence once per tick.
 */
class SilenceEncoding {
  readonly #constant: Uint8Array | null;
  readonly #encoder: SharedEncoder | null;
  readonly #zeros: Int16Array;
  readonly #codecZeros: Int16Array;

  constructor(encoder: AudioEncoder, rate: number, frameSamples: number) {
    this.#zeros = new Int16Array(frameSamples);
    const codecZeros = (this.#codecZeros = new Int16Array((frameSamples * encoder.clockRate) / rate));
    const probes: Uint8Array[] = [];
    for (let i = 0; i < SILENCE_PROBES; i++) probes.push(Uint8Array.from(encoder.encode(codecZeros)));
    const last = probes[SILENCE_PROBES - 1];
    const constant = probes.slice(SILENCE_PROBES - 4).every((p) => p.length === last.length && p.every((b, k) => b === last[k]));
    this.#constant = constant ? last : null;
    this.#encoder = constant ? null : new SharedEncoder(encoder, rate, frameSamples);
  }

  payload(frameIndex: number, stats: SharedEncodingStats): Uint8Array {
    if (this.#constant !== null) {
      stats.silent++;
      return this.#constant;
    }
    return this.#encoder!.payload(this.#zeros, frameIndex, stats, NOTHING_FORWARDED);
  }

  get lastPcm(): Int16Array {
    return this.#encoder?.lastPcm ?? this.#codecZeros;
  }
}

const SILENCE_PROBES = 8;

/** The shared mix of the last tick whose listeners were forwarded a packet instead. */
interface ForwardedFrame {
  pcm: Int16Array;
  index: number;
}

const NOTHING_FORWARDED: ForwardedFrame = { pcm: new Int16Array(0), index: -1 };

export interface SharedEncodingStats {
  /** Shared-mix packets encoded (once per tick and encoder settings). */
  encoded: number;
  /** Listeners served from an encode already done this tick. */
  reused: number;
  /** Silent packets served without encoding (a codec whose silence is one constant packet). */
  silent: number;
  /** Encodes of a forwarded frame, to bring a shared encoder up to date before it resumes. */
  warmUps: number;
}

/**
 * Encode once per distinct output: every listener that hears the plain shared mix with the
 * same codec settings gets the same payload, encoded at most once per tick; only its RTP
 * header (SSRC, sequence, timestamp) is its own. One per conference, on its media thread.
 */
export class SharedEncodings {
  readonly stats: SharedEncodingStats = { encoded: 0, reused: 0, silent: 0, warmUps: 0 };
  readonly #rate: number;
  readonly #frameSamples: number;
  readonly #encoders = new Map<string, SharedEncoder>();
  readonly #silences = new Map<string, SilenceEncoding>();
  #voicedIndex = -1;
  #voiced = false;
  #forwarded: ForwardedFrame | null = null;

  constructor(rate: number, frameSamples: number) {
    this.#rate = rate;
    this.#frameSamples = frameSamples;
  }

  /** This tick's payload of the shared mix for encoder settings `key`. */
  payload(key: string, make: () => AudioEncoder, frame: Int16Array, frameIndex: number): Uint8Array {
    let enc = this.#encoders.get(key);
    if (enc === undefined) {
      enc = new SharedEncoder(make(), this.#rate, this.#frameSamples);
      this.#encoders.set(key, enc);
    }
    return enc.payload(frame, frameIndex, this.stats, this.#forwarded ?? NOTHING_FORWARDED);
  }

  /**
   * Notes that this tick's shared mix went out as a participant's own packet (to the listeners
   * calling this); returns the copy of `frame` kept to warm the shared encoders up afterwards.
   */
  forwarded(frame: Int16Array, frameIndex: number): Int16Array {
    const f = (this.#forwarded ??= { pcm: new Int16Array(frame.length), index: -1 });
    if (f.index !== frameIndex) {
      f.pcm.set(frame);
      f.index = frameIndex;
    }
    return f.pcm;
  }

  /** This tick's packet of digital silence for encoder settings `key` (for listeners who hear nothing). */
  silence(key: string, make: () => AudioEncoder, frameIndex: number): Uint8Array {
    let enc = this.#silences.get(key);
    if (enc === undefined) {
      enc = new SilenceEncoding(make(), this.#rate, this.#frameSamples);
      this.#silences.set(key, enc);
    }
    return enc.payload(frameIndex, this.stats);
  }

  /** Whether this tick's shared frame holds any sound: checked once per tick, not per listener. */
  voiced(frame: Int16Array, frameIndex: number): boolean {
    if (frameIndex !== this.#voicedIndex) {
      this.#voicedIndex = frameIndex;
      this.#voiced = !isDigitalSilence(frame);
    }
    return this.#voiced;
  }

  /** The last shared frame for `key` at the codec rate, or undefined before the first. */
  lastPcm(key: string): Int16Array | undefined {
    return (this.#encoders.get(key) ?? this.#silences.get(key))?.lastPcm;
  }
}

/** How an outbound stream reaches its conference's shared encodes. */
export interface SharedEncodingRef {
  encodings: SharedEncodings;
  /** Listeners with equal keys (codec settings and ptime) share one encode per tick. */
  key: string;
  /** The shared digital-silence packet of those settings. */
  silenceKey: string;
  make: () => AudioEncoder;
}

/** The one place the sharing keys are made, for every transport. */
export function sharedEncodingRef(encodings: SharedEncodings, encoderKey: string, ptimeMs: number, make: () => AudioEncoder): SharedEncodingRef {
  const key = `${encoderKey}/${ptimeMs}`;
  return { encodings, key, silenceKey: `${key}/silence`, make };
}
