// One Opus encoder per outbound stream (48 kHz mono). Settings are validated
// here and applied through libopus CTLs; PCM sizes are validated before libopus is called, so
// that a bad frame is the caller's InvalidArgumentError rather than a libopus error code (the
// @discordjs/opus wrapper roomtone used before aborted the process on one).
import { InvalidArgumentError } from '../errors.js';
import { createOpusEncoder, OPUS_MAX_PACKET, OpusCtl, type NativeOpusEncoder } from './opusBinding.js';

export interface OpusEncoderSettings {
  /** Target bitrate in bit/s, 6000..510000. */
  bitrate: number;
  /** 0..10: CPU spent per frame (about 18 µs at 0, 45 µs at 5, 57 µs at 9 per 20 ms here). */
  complexity: number;
  /** In-band forward error correction (SILK LBRR), useful together with packetLossPercent. */
  fec: boolean;
  /** Discontinuous transmission: near-empty packets during silence. */
  dtx: boolean;
  /** Expected loss, 0..100; makes the encoder more robust (and FEC spend more). */
  packetLossPercent: number;
}

export const DEFAULT_OPUS_ENCODER_SETTINGS: Readonly<OpusEncoderSettings> = Object.freeze({
  bitrate: 32000,
  complexity: 5,
  fec: false,
  dtx: false,
  packetLossPercent: 0,
});

export const OPUS_ENCODE_RATE = 48000;
/** The frame sizes libopus accepts at 48 kHz: 2.5, 5, 10, 20, 40 and 60 ms. */
export const OPUS_FRAME_SAMPLES_48K: readonly number[] = Object.freeze([120, 240, 480, 960, 1920, 2880]);

type Setting = keyof OpusEncoderSettings;

const RULES: { [K in Setting]: (v: unknown) => string | null } = {
  bitrate: (v) => intRule(v, 6000, 510000),
  complexity: (v) => intRule(v, 0, 10),
  fec: (v) => (typeof v === 'boolean' ? null : 'must be a boolean'),
  dtx: (v) => (typeof v === 'boolean' ? null : 'must be a boolean'),
  packetLossPercent: (v) => intRule(v, 0, 100),
};

function intRule(v: unknown, min: number, max: number): string | null {
  return Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? null : `must be an integer in ${min}..${max}`;
}

/** Throws InvalidArgumentError for the first bad or unknown field of `settings`. */
export function validateOpusEncoderSettings(settings: Partial<OpusEncoderSettings>): void {
  if (typeof settings !== 'object' || settings === null) throw new InvalidArgumentError('settings', 'must be an object');
  for (const key of Object.keys(settings)) {
    const rule = RULES[key as Setting];
    if (rule === undefined) throw new InvalidArgumentError(key, 'is not an Opus encoder setting');
    const broken = rule(settings[key as Setting]);
    if (broken !== null) throw new InvalidArgumentError(key, broken);
  }
}

/**
 * The libopus encoder and its settings are created at the first encode, not at construction:
 * every listener has an encoder of its own, but one that only ever hears the shared mix never
 * uses it, and the native state is 50 KB.
 */
export class OpusEncoder {
  #native: NativeOpusEncoder | null = null;
  #settings: OpusEncoderSettings = { ...DEFAULT_OPUS_ENCODER_SETTINGS };
  #encodedFrames = 0;
  /** What libopus writes each packet into; made with the native state. */
  #out: Uint8Array | null = null;
  /** Views of #out by packet length, so that returning a packet allocates nothing. */
  #views: Uint8Array[] = [];

  constructor(settings: Partial<OpusEncoderSettings> = {}) {
    validateOpusEncoderSettings(settings);
    this.#settings = { ...DEFAULT_OPUS_ENCODER_SETTINGS, ...settings };
  }

  /** The settings in force (a copy). */
  get settings(): OpusEncoderSettings {
    return { ...this.#settings };
  }

  get encodedFrames(): number {
    return this.#encodedFrames;
  }

  /** Changes some settings; all are validated before any is applied. Takes effect on the next frame. */
  configure(settings: Partial<OpusEncoderSettings>): void {
    validateOpusEncoderSettings(settings);
    const next = { ...this.#settings, ...settings };
    if (this.#native === null) this.#settings = next;
    else this.#apply(this.#native, next, false);
  }

  /**
   * Encodes one frame of 48 kHz mono PCM: 120, 240, 480, 960, 1920 or 2880 samples. Returns one
   * Opus packet (libopus may split 40/60 ms into 20 ms frames under one TOC) in this encoder's
   * own buffer: valid until its next encode, so a caller that keeps it copies it.
   */
  encode(pcm: Int16Array): Uint8Array {
    if (!(pcm instanceof Int16Array)) throw new InvalidArgumentError('pcm', 'must be an Int16Array');
    const n = pcm.length;
    if (n !== 960 && n !== 480 && n !== 1920 && n !== 2880 && n !== 240 && n !== 120) {
      throw new InvalidArgumentError('pcm', `must hold 120, 240, 480, 960, 1920 or 2880 samples (2.5..60 ms at 48 kHz), not ${n}`);
    }
    let native = this.#native;
    if (native === null) {
      native = this.#native = createOpusEncoder(OPUS_ENCODE_RATE, 1);
      this.#out = new Uint8Array(OPUS_MAX_PACKET);
      this.#apply(native, this.#settings, true);
    }
    const bytes = native.encode(pcm, this.#out!);
    // The size and settings were checked, so libopus failing is a bug, not bad input.
    if (bytes < 0) throw new Error(`libopus encode failed (${bytes})`);
    this.#encodedFrames++;
    return (this.#views[bytes] ??= this.#out!.subarray(0, bytes));
  }

  #apply(native: NativeOpusEncoder, next: OpusEncoderSettings, all: boolean): void {
    const prev = this.#settings;
    if (all || next.bitrate !== prev.bitrate) native.ctl(OpusCtl.SET_BITRATE, next.bitrate);
    if (all || next.complexity !== prev.complexity) native.ctl(OpusCtl.SET_COMPLEXITY, next.complexity);
    if (all || next.fec !== prev.fec) native.ctl(OpusCtl.SET_INBAND_FEC, next.fec ? 1 : 0);
    if (all || next.dtx !== prev.dtx) native.ctl(OpusCtl.SET_DTX, next.dtx ? 1 : 0);
    const voice = wantsVoiceHint(next);
    if (all || voice !== wantsVoiceHint(prev)) native.ctl(OpusCtl.SET_SIGNAL, voice ? OpusCtl.SIGNAL_VOICE : OpusCtl.AUTO);
    if (all || next.packetLossPercent !== prev.packetLossPercent) {
      native.ctl(OpusCtl.SET_PACKET_LOSS_PERC, next.packetLossPercent);
    }
    this.#settings = next;
  }
}

/**
 * OPUS_SET_SIGNAL(voice) steers libopus to SILK or hybrid. That is what DTX needs, and what
 * carries speech below 24 kbit/s; at 24 kbit/s and up libopus left to itself picks CELT, which
 * costs 41 µs per 20 ms frame here against 100 µs for hybrid, for little audible difference on
 * speech at those rates. Encoding is the largest per-conference cost, so the hint is only given
 * where it matters.
 */
function wantsVoiceHint(s: OpusEncoderSettings): boolean {
  return s.dtx || s.bitrate < 24000;
}
