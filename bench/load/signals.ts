// The audio the load generator sends, encoded once before the run so that encoding never
// competes with the pacing loop: one speech-like talker signal (every talker replays the same
// packets from a different start), and one loop for the quiet participants.
import { OpusEncoder } from '../../src/codecs/OpusEncoder.js';
// Seeded, so every run sends the same audio.
import { seededRandom as seeded } from '../../test/helpers/random.js';

export type QuietKind = 'noise' | 'silence' | 'dtx';

/** 20 ms of 48 kHz mono: the frame the server's Opus decoder and our encoder use. */
export const FRAME_SAMPLES = 960;
const RATE = 48000;
/** Long enough that three talkers at different offsets do not sound (or gate) in lock-step. */
const TALK_SECONDS = 12;
/** Quiet participants' amplitude: mean |sample| ≈ 20, well under the default energy-level of 100. */
const NOISE_AMPLITUDE = 40;

export interface PayloadLoops {
  /** One Opus payload per 20 ms frame, replayed in a loop by every talker. */
  talk: readonly Buffer[];
  /** The quiet participants' loop; null = nothing is sent in that frame (DTX). */
  quiet: readonly (Buffer | null)[];
  /** RFC 6464 level (-dBov, 0-127) of each talk and quiet frame, as a phone would send. */
  talkLevels: Uint8Array;
  quietLevels: Uint8Array;
  /** Share of talk frames whose mean |sample| is above 100 (the default energy-level). */
  talkActiveShare: number;
  /** Mean payload bytes per 20 ms, over the frames actually sent. */
  talkBytes: number;
  quietBytes: number;
  /** Packets per second a quiet participant sends (50, or ~2.5 with DTX). */
  quietPacketsPerSecond: number;
}

/** Vowel formants F1/F2 in Hz (a, e, i, o, u). */
const VOWELS: readonly [number, number][] = [[730, 1090], [530, 1840], [270, 2290], [570, 840], [300, 870]];

/**
 * A crude source-filter voice: a glottal pulse train with a wandering pitch, through a cascade of
 * three formant resonators (Klatt's form, unity gain at DC), shaped into syllables of 120-280 ms
 * with short consonant noise bursts, grouped into phrases separated by 250-700 ms pauses. What
 * matters for the server is that it has speech's spectrum and on/off rhythm: the talk detector
 * starts and stops, the gate opens and closes, and Opus spends speech-like bits on it.
 */
export function speechLike(seconds: number, seed = 1): Int16Array {
  const rnd = seeded(seed);
  const out = new Float64Array(Math.round(seconds * RATE));
  let t = 0;
  let phase = 0;
  const y = new Float64Array(6); // the resonators' two past outputs each
  while (t < out.length) {
    const syllables = 4 + Math.floor(rnd() * 7);
    const basePitch = 100 + rnd() * 60;
    for (let s = 0; s < syllables && t < out.length; s++) {
      const len = Math.round((0.12 + rnd() * 0.16) * RATE);
      const burst = rnd() < 0.5 ? Math.round((0.03 + rnd() * 0.03) * RATE) : 0;
      const [f1, f2] = VOWELS[Math.floor(rnd() * VOWELS.length)];
      const coeffs = [f1, f2, 2500].map((f, k) => resonator(f, [90, 110, 160][k]));
      const pitchFrom = basePitch * (1.1 - 0.2 * (s / syllables));
      const pitchTo = pitchFrom * (0.9 + rnd() * 0.2);
      for (let n = 0; n < len && t < out.length; n++, t++) {
        const x = n / len;
        const envelope = Math.sin(Math.PI * Math.min(1, x * 1.3)) ** 0.7;
        let source: number;
        if (n < burst) source = (rnd() * 2 - 1) * 0.3; // a fricative onset
        else {
          phase += (pitchFrom + (pitchTo - pitchFrom) * x) / RATE;
          if (phase >= 1) phase -= 1;
          // Rosenberg-like pulse: open phase 40 % of the period, then closed.
          source = phase < 0.4 ? Math.sin((Math.PI * phase) / 0.4) ** 2 - 0.2 : -0.2;
        }
        let v = source * envelope;
        for (let k = 0; k < 3; k++) {
          const [a, b, c] = coeffs[k];
          const o = a * v + b * y[2 * k] + c * y[2 * k + 1];
          y[2 * k + 1] = y[2 * k];
          y[2 * k] = o;
          v = o;
        }
        out[t] = v;
      }
      t += Math.round(rnd() * 0.04 * RATE); // a short gap between syllables
    }
    t += Math.round((0.25 + rnd() * 0.45) * RATE); // a pause between phrases
  }
  let peak = 1e-9;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  const scale = 16000 / peak; // about -6 dBFS peak: a normal talker, no limiter involvement
  return Int16Array.from(out, (v) => Math.round(v * scale));
}

function resonator(freq: number, bandwidth: number): [number, number, number] {
  const c = -Math.exp((-2 * Math.PI * bandwidth) / RATE);
  const b = 2 * Math.exp((-Math.PI * bandwidth) / RATE) * Math.cos((2 * Math.PI * freq) / RATE);
  return [1 - b - c, b, c];
}

function noise(frames: number, seed: number): Int16Array {
  const rnd = seeded(seed);
  return Int16Array.from({ length: frames * FRAME_SAMPLES }, () => Math.round((rnd() * 2 - 1) * NOISE_AMPLITUDE));
}

/**
 * Each frame's RFC 6464 level as WebRTC computes it: the frame's RMS in -dBov, rounded, 127 for
 * digital silence.
 */
function frameLevels(pcm: Int16Array, frames: number): Uint8Array {
  const out = new Uint8Array(frames);
  for (let k = 0; k < frames; k++) {
    let sum = 0;
    for (let i = k * FRAME_SAMPLES; i < (k + 1) * FRAME_SAMPLES; i++) sum += pcm[i] * pcm[i];
    const rms = Math.sqrt(sum / FRAME_SAMPLES);
    out[k] = rms === 0 ? 127 : Math.min(127, Math.max(0, Math.round(-20 * Math.log10(rms / 32768))));
  }
  return out;
}

function encodeFrames(pcm: Int16Array, encoder: OpusEncoder): Buffer[] {
  const out: Buffer[] = [];
  for (let k = 0; k + FRAME_SAMPLES <= pcm.length; k += FRAME_SAMPLES) out.push(Buffer.from(encoder.encode(pcm.subarray(k, k + FRAME_SAMPLES))));
  return out;
}

/** Encodes everything the generator will send (about half a second of CPU, before the run). */
export function buildPayloads(quiet: QuietKind): PayloadLoops {
  const settings = { bitrate: 32000, complexity: 5 }; // what RtpTestClient and a typical softphone send
  const speech = speechLike(TALK_SECONDS);
  const talk = encodeFrames(speech, new OpusEncoder(settings));
  let active = 0;
  for (let k = 0; k < talk.length; k++) {
    let sum = 0;
    for (let i = k * FRAME_SAMPLES; i < (k + 1) * FRAME_SAMPLES; i++) sum += Math.abs(speech[i]);
    if (sum / FRAME_SAMPLES > 100) active++;
  }
  // The encoder's first frames are its start-up transient: encode a warm-up and drop it.
  const WARM = 25;
  let quietLoop: (Buffer | null)[];
  let quietPcm: Int16Array;
  if (quiet === 'noise') quietLoop = encodeFrames((quietPcm = noise(WARM + 50, 2)), new OpusEncoder(settings)).slice(WARM);
  else if (quiet === 'silence') quietLoop = encodeFrames((quietPcm = new Int16Array((WARM + 50) * FRAME_SAMPLES)), new OpusEncoder(settings)).slice(WARM);
  else {
    // DTX over the same low noise: libopus then emits a real frame every 400 ms and 1-byte
    // "nothing new" packets in between. Like WebRTC, we do not send packets of 2 bytes or less,
    // so the server sees a packet every 400 ms with the RTP timestamp jumping over the gap.
    // 105 frames = 5 refresh periods of 21, so the loop repeats the pattern seamlessly.
    const frames = encodeFrames((quietPcm = noise(WARM + 105, 3)), new OpusEncoder({ ...settings, dtx: true })).slice(WARM);
    quietLoop = frames.map((p) => (p.length <= 2 ? null : p));
  }
  const sent = quietLoop.filter((p): p is Buffer => p !== null);
  return {
    talk,
    quiet: quietLoop,
    talkLevels: frameLevels(speech, talk.length),
    quietLevels: frameLevels(quietPcm.subarray(WARM * FRAME_SAMPLES), quietLoop.length),
    talkActiveShare: active / talk.length,
    talkBytes: talk.reduce((n, p) => n + p.length, 0) / talk.length,
    quietBytes: sent.length === 0 ? 0 : sent.reduce((n, p) => n + p.length, 0) / sent.length,
    quietPacketsPerSecond: (50 * sent.length) / quietLoop.length,
  };
}
