// Shared inputs for the Opus tests: a speech-like signal, raw libopus encoders, and RFC 6716
// §3.2 packet splicing (several code-0 frames re-framed under one TOC byte).
import { createOpusEncoder, OPUS_MAX_PACKET, OpusCtl, type NativeOpusEncoder } from '../../src/codecs/opusBinding.js';

/** A voiced, speech-like signal: f0 harmonics with a 1/h rolloff and a 3 Hz syllable envelope. */
export function speechLike(samples: number, offset = 0, rate = 48000, f0 = 140): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = (i + offset) / rate;
    let v = 0;
    for (let h = 1; h * f0 < rate / 2 && h < 16; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    out[i] = Math.round(5000 * v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t)));
  }
  return out;
}

export function pcmBuffer(pcm: Int16Array): Buffer {
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

/** A raw libopus encoder at 48 kHz: CBR when `vbr` is false (every frame the same size). */
export function rawEncoder(bitrate: number, vbr: boolean, channels: 1 | 2 = 1): NativeOpusEncoder {
  const enc = createOpusEncoder(48000, channels);
  enc.ctl(OpusCtl.SET_BITRATE, bitrate);
  enc.ctl(OpusCtl.SET_VBR, vbr ? 1 : 0);
  return enc;
}

/** `count` consecutive code-0 packets of `samples` samples each from `enc`. */
export function encodeRun(enc: NativeOpusEncoder, count: number, samples: number, channels = 1): Buffer[] {
  const packets: Buffer[] = [];
  const out = new Uint8Array(OPUS_MAX_PACKET);
  for (let k = 0; k < count; k++) {
    const mono = speechLike(samples, k * samples);
    const pcm = new Int16Array(samples * channels);
    for (let i = 0; i < samples; i++) for (let c = 0; c < channels; c++) pcm[i * channels + c] = mono[i];
    const bytes = enc.encode(pcm, out);
    if (bytes < 0) throw new Error(`libopus encode failed (${bytes})`);
    packets.push(Buffer.from(out.subarray(0, bytes)));
  }
  return packets;
}

/** RFC 6716 §3.2.1 frame length: one byte below 252, else two (len = 4*second + first). */
export function frameLength(n: number): number[] {
  if (n < 252) return [n];
  const first = 252 + ((n - 252) & 3);
  return [first, (n - first) >> 2];
}

const body = (packet: Uint8Array): number[] => Array.from(packet.subarray(1));

/** Re-frames code-0 packets (same TOC config) as one packet with frame-count code `code`. */
export function splice(packets: Uint8Array[], code: 1 | 2 | 3, opts: { vbr?: boolean; padding?: number } = {}): Uint8Array {
  const toc = (packets[0][0] & 0xfc) | code;
  const frames = packets.map(body);
  if (code === 1) return Uint8Array.from([toc, ...frames[0], ...frames[1]]);
  if (code === 2) return Uint8Array.from([toc, ...frameLength(frames[0].length), ...frames[0], ...frames[1]]);
  const padding = opts.padding ?? 0;
  const vbr = opts.vbr ?? false;
  const header = [toc, (vbr ? 0x80 : 0) | (padding > 0 ? 0x40 : 0) | frames.length];
  if (padding > 0) {
    let left = padding;
    while (left >= 254) {
      header.push(255);
      left -= 254;
    }
    header.push(left);
  }
  if (vbr) for (const f of frames.slice(0, -1)) header.push(...frameLength(f.length));
  return Uint8Array.from([...header, ...frames.flat(), ...new Array<number>(padding).fill(0)]);
}

/** Concatenates decoded PCM. */
export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Deterministic PRNG (xorshift32) for fuzzing. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}
