// Packets whose RFC 6464 level puts them under the conference's gate are played as silence
// without being decoded; speech that follows must come back as if the decoder had heard
// everything (the stream warms the decoder up on the last skipped packet).
import { describe, expect, it } from 'vitest';
import { OpusStreamDecoder } from '../../src/codecs/OpusStream.js';
import { OpusDecoder } from '../../src/codecs/OpusDecoder.js';
import { OpusEncoder } from '../../src/codecs/OpusEncoder.js';
import { InboundStream } from '../../src/media/InboundStream.js';

const FRAME = 960;
const FRAMES = 100;
/** Frames 30-59 are quiet (a -63 dBov hum); the rest a -12 dBFS tone. */
const QUIET_FROM = 30;
const QUIET_TO = 60;
const GATE = 100;

function signal(): Int16Array {
  const pcm = new Int16Array(FRAMES * FRAME);
  for (let t = 0; t < pcm.length; t++) {
    const frame = Math.floor(t / FRAME);
    const amp = frame >= QUIET_FROM && frame < QUIET_TO ? 30 : 8000;
    pcm[t] = Math.round(amp * Math.sin((2 * Math.PI * 440 * t) / 48000) + amp * 0.3 * Math.sin((2 * Math.PI * 1330 * t) / 48000));
  }
  return pcm;
}

function level(frame: Int16Array): number {
  let sum = 0;
  for (const v of frame) sum += v * v;
  const rms = Math.sqrt(sum / frame.length);
  return rms === 0 ? 127 : Math.min(127, Math.round(-20 * Math.log10(rms / 32768)));
}

interface Packets {
  payloads: Buffer[];
  levels: number[];
}

function encode(pcm: Int16Array): Packets {
  const enc = new OpusEncoder({ bitrate: 32000, complexity: 5 });
  const payloads: Buffer[] = [];
  const levels: number[] = [];
  for (let k = 0; k < FRAMES; k++) {
    const frame = pcm.subarray(k * FRAME, (k + 1) * FRAME);
    payloads.push(Buffer.from(enc.encode(frame)));
    levels.push(level(frame));
  }
  return { payloads, levels };
}

/** Plays the packets through an inbound stream one per tick; `lose` packets never arrive. */
function play(p: Packets, withLevels: boolean, lose: ReadonlySet<number> = new Set()): { out: Int16Array; stream: InboundStream } {
  const stream = new InboundStream(new OpusStreamDecoder(), 48000, FRAME);
  const out = new Int16Array(FRAMES * FRAME);
  let at = 0;
  for (let k = 0; k < FRAMES; k++) {
    if (!lose.has(k)) stream.push(k, k * FRAME, p.payloads[k], 0, p.payloads[k].length, k === 0, k * 20, withLevels ? p.levels[k] : -1);
    const dst = out.subarray(at, at + FRAME);
    if (stream.readFrame(dst, GATE) || at > 0) at += FRAME;
  }
  return { out, stream };
}

function rms(x: Int16Array): number {
  let sum = 0;
  for (const v of x) sum += v * v;
  return Math.sqrt(sum / Math.max(1, x.length));
}

function errorDb(a: Int16Array, b: Int16Array): number {
  const d = new Int16Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  return 20 * Math.log10(Math.max(1e-9, rms(d)) / rms(b));
}

describe('silence-aware decoding', () => {
  const packets = encode(signal());
  const frameOf = (x: Int16Array, k: number) => x.subarray(k * FRAME, (k + 1) * FRAME);

  it('does not decode packets whose level is under the gate, and plays them as silence', () => {
    const { out, stream } = play(packets, true);
    expect(packets.levels.slice(QUIET_FROM, QUIET_TO).every((l) => l >= 60)).toBe(true);
    expect(stream.stats.skippedPackets).toBe(QUIET_TO - QUIET_FROM);
    expect(stream.stats.decoded).toBe(FRAMES - (QUIET_TO - QUIET_FROM));
    for (let k = QUIET_FROM + 1; k < QUIET_TO; k++) expect(rms(frameOf(out, k))).toBe(0);
    // Without levels every packet is decoded and the hum is there.
    const plain = play(packets, false);
    expect(plain.stream.stats.skippedPackets).toBe(0);
    expect(rms(frameOf(plain.out, QUIET_FROM + 10))).toBeGreaterThan(5);
  });

  it('resumes after skipped packets as if every packet had been decoded', () => {
    const skipped = play(packets, true).out;
    const full = play(packets, false).out;
    // The loud frames after the gap come close to what the decoder that heard everything
    // gives: the first within -8 dB (CELT's energy state needs a few frames to settle fully),
    // and from the third on within -30 dB...
    const resumed = errorDb(frameOf(skipped, QUIET_TO), frameOf(full, QUIET_TO));
    console.log(`first frame after the skipped packets: error ${resumed.toFixed(1)} dB`);
    expect(resumed).toBeLessThan(-8);
    for (let k = QUIET_TO + 2; k < FRAMES; k++) expect(errorDb(frameOf(skipped, k), frameOf(full, k))).toBeLessThan(-30);
    // ...which a decoder that just carries on from the last packet it decoded does not: its
    // state still holds the loud audio from before the gap.
    const stale = new OpusDecoder();
    for (let k = 0; k < QUIET_FROM; k++) stale.decode(packets.payloads[k]);
    const carriedOn = stale.decode(packets.payloads[QUIET_TO])!;
    const carried = errorDb(carriedOn, frameOf(full, QUIET_TO));
    console.log(`a decoder carrying on from before the gap: error ${carried.toFixed(1)} dB`);
    expect(carried).toBeGreaterThan(resumed + 10);
  });

  it('conceals a packet lost after skipped ones with silence, not with stale speech', () => {
    const lost = QUIET_TO - 1;
    const { out, stream } = play(packets, true, new Set([lost]));
    expect(stream.stats.lost).toBe(1);
    expect(rms(frameOf(out, lost))).toBe(0);
    expect(rms(frameOf(out, QUIET_TO + 2))).toBeGreaterThan(3000);
  });

  it('decodes a quiet packet when the gate is open to everything', () => {
    const stream = new InboundStream(new OpusStreamDecoder(), 48000, FRAME);
    const dst = new Int16Array(FRAME);
    for (let k = 0; k < 5; k++) {
      stream.push(k, k * FRAME, packets.payloads[QUIET_FROM + k], 0, packets.payloads[QUIET_FROM + k].length, false, k * 20, packets.levels[QUIET_FROM + k]);
      stream.readFrame(dst, 0);
    }
    expect(stream.stats.skippedPackets).toBe(0);
    expect(stream.stats.decoded).toBeGreaterThan(0);
  });
});
