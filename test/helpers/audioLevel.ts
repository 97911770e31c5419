// RFC 6464 client-to-mixer audio levels for test senders: the level of each 20 ms frame, and
// the one-byte-header (RFC 8285) extension block that carries it in an RTP packet.
import { AUDIO_LEVEL_URI } from '../../src/sdp/NegotiatedMedia.js';

/** The extension id RtpTestClient offers for the audio level. */
export const AUDIO_LEVEL_EXT_ID = 1;

export const audioLevelExtmap = (id = AUDIO_LEVEL_EXT_ID): string => `a=extmap:${id} ${AUDIO_LEVEL_URI}`;

/** RFC 6464 level of a frame: -dBov of its RMS, rounded, 0..127; 127 for digital silence. */
export function frameAudioLevel(frame: Int16Array): number {
  let sum = 0;
  for (const v of frame) sum += v * v;
  const rms = Math.sqrt(sum / Math.max(1, frame.length));
  return rms === 0 ? 127 : Math.max(0, Math.min(127, Math.round(-20 * Math.log10(rms / 32768))));
}

/** The level of each `frameSamples` frame of `pcm` (a partial last frame counts as padded with silence). */
export function frameAudioLevels(pcm: Int16Array, frameSamples: number): number[] {
  const out: number[] = [];
  for (let at = 0; at < pcm.length; at += frameSamples) {
    const f = pcm.subarray(at, at + frameSamples);
    if (f.length === frameSamples) out.push(frameAudioLevel(f));
    else {
      const padded = new Int16Array(frameSamples);
      padded.set(f);
      out.push(frameAudioLevel(padded));
    }
  }
  return out;
}

/** The 8-byte extension block (0xBEDE, one word) carrying `level` (V bit clear) under `id`. */
export function audioLevelExtension(level: number, id = AUDIO_LEVEL_EXT_ID): Buffer {
  return Buffer.of(0xbe, 0xde, 0x00, 0x01, id << 4, level & 0x7f, 0x00, 0x00);
}
