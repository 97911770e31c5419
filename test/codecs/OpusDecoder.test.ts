import { describe, expect, it } from 'vitest';
import { OpusDecoder } from '../../src/codecs/OpusDecoder.js';
import { OpusEncoder } from '../../src/codecs/OpusEncoder.js';
import { createOpusDecoder, createOpusEncoder, OpusCtl } from '../../src/codecs/opusBinding.js';
import { createOpusPacketInfo, parseOpusPacket } from '../../src/codecs/opusPacket.js';
import { goertzelDb, tone } from '../helpers/audio.js';
import { concat, encodeRun, pcmBuffer, prng, rawEncoder, speechLike, splice } from './opusFixtures.js';

const SIZES = [120, 240, 480, 960, 1920, 2880];

/** Decodes packets one by one with a fresh decoder and concatenates the audio. */
function decodeAll(packets: Uint8Array[]): Int16Array {
  const dec = new OpusDecoder();
  return concat(packets.map((p) => dec.decode(p)?.slice() ?? new Int16Array(0)));
}

describe('OpusDecoder.decode', () => {
  it.each(SIZES)('decodes %i-sample frames to that many 48 kHz mono samples', (size) => {
    const enc = new OpusEncoder({ bitrate: 64000 });
    const dec = new OpusDecoder();
    for (let k = 0; k < 10; k++) {
      const pcm = dec.decode(enc.encode(speechLike(size, k * size)));
      expect(pcm).toBeInstanceOf(Int16Array);
      expect(pcm!.length).toBe(size);
    }
    expect(dec.decodedPackets).toBe(10);
    expect(dec.decodedSamples).toBe(10 * size);
  });

  it('downmixes stereo packets to mono', () => {
    const packets = encodeRun(rawEncoder(64000, true, 2), 5, 960, 2);
    expect(packets[0][0] & 4).toBe(4); // stereo flag set
    const dec = new OpusDecoder();
    for (const p of packets) expect(dec.decode(p)!.length).toBe(960);
  });

  it('accepts a plain Uint8Array as well as a Buffer', () => {
    const [packet] = encodeRun(rawEncoder(32000, true), 1, 960);
    expect(new OpusDecoder().decode(new Uint8Array(packet))!.length).toBe(960);
  });

  it('decodes into its own buffer, reused packet after packet (no allocation per frame)', () => {
    const [p20] = encodeRun(rawEncoder(32000, true), 1, 960);
    const [p60] = encodeRun(rawEncoder(32000, true), 1, 2880);
    const dec = new OpusDecoder();
    const a = dec.decode(p20)!;
    expect(dec.decode(p20)).toBe(a); // the same view, rewritten
    const long = dec.decode(p60)!; // grows once for a longer packet
    expect(long.length).toBe(2880);
    expect(dec.decode(p60)).toBe(long);
    expect(dec.decode(p20)!.buffer).toBe(long.buffer);
  });

  it('a 1 kHz tone survives encode and decode within 1 dB', () => {
    const enc = new OpusEncoder();
    const dec = new OpusDecoder();
    const input = tone(1000, 48000, 1, 8000);
    const out: Int16Array[] = [];
    for (let at = 0; at < input.length; at += 960) out.push(dec.decode(enc.encode(input.subarray(at, at + 960)))!.slice());
    const decoded = concat(out).subarray(4800); // past the encoder's start-up
    const want = goertzelDb(input.subarray(4800), 1000, 48000);
    expect(Math.abs(goertzelDb(decoded, 1000, 48000) - want)).toBeLessThan(1);
  });
});

describe('multi-frame packets (RFC 6716 §3.2)', () => {
  it('code 1 and CBR code 3 (with padding) decode like their frames one by one', () => {
    const packets = encodeRun(rawEncoder(64000, false), 9, 960);
    const frameBytes = new Set(packets.map((p) => p.length));
    expect(frameBytes.size).toBe(1); // CBR: every frame the same size
    expect(new Set(packets.map((p) => p[0])).size).toBe(1); // one TOC throughout
    const spliced = [
      splice(packets.slice(0, 2), 1),
      splice(packets.slice(2, 5), 3),
      splice(packets.slice(5, 9), 3, { padding: 300 }),
    ];
    const info = createOpusPacketInfo();
    expect(spliced.map((p) => (parseOpusPacket(p, info), info.totalSamples48k))).toEqual([1920, 2880, 3840]);
    const together = decodeAll(spliced);
    expect(together.length).toBe(9 * 960);
    expect(together).toEqual(decodeAll(packets));
  });

  it('code 2 and VBR code 3 (two-byte lengths, padding) decode like their frames one by one', () => {
    const packets = encodeRun(rawEncoder(128000, true), 8, 960);
    expect(new Set(packets.map((p) => p.length)).size).toBeGreaterThan(1); // VBR
    expect(Math.max(...packets.map((p) => p.length))).toBeGreaterThan(253); // two-byte lengths
    const spliced = [splice(packets.slice(0, 2), 2), splice(packets.slice(2, 8), 3, { vbr: true, padding: 7 })];
    const together = decodeAll(spliced);
    expect(together.length).toBe(8 * 960); // 6 x 20 ms = 120 ms in the code 3 packet
    expect(together).toEqual(decodeAll(packets));
  });

  it('libopus itself frames 40 and 60 ms CELT as 20 ms frames under one TOC', () => {
    const enc = new OpusEncoder({ bitrate: 64000 });
    const info = createOpusPacketInfo();
    parseOpusPacket(enc.encode(speechLike(2880)), info);
    expect(info.frames * info.samplesPerFrame48k).toBe(2880);
  });
});

describe('OpusDecoder.conceal', () => {
  const concealAfter = (packet: Uint8Array): number => {
    const dec = new OpusDecoder();
    dec.decode(packet);
    return dec.conceal().length;
  };

  it('conceals exactly one frame of the last packet duration', () => {
    for (const size of [120, 240, 480, 960]) {
      expect(concealAfter(new OpusEncoder({ bitrate: 64000 }).encode(speechLike(size)))).toBe(size);
    }
    // A true 60 ms frame needs SILK: 12 kbit/s voice gives SILK wideband 60 ms (config 11).
    const silk = new OpusEncoder({ bitrate: 12000 }).encode(speechLike(2880));
    expect(silk[0] >> 3).toBe(11);
    expect(concealAfter(silk)).toBe(2880);
    // A 60 ms CELT packet holds three 20 ms frames: one frame is 20 ms.
    expect(concealAfter(new OpusEncoder({ bitrate: 64000 }).encode(speechLike(2880)))).toBe(960);
  });

  it('gives 20 ms of zeros before any packet, and again after reset()', () => {
    const dec = new OpusDecoder();
    expect(dec.conceal()).toEqual(new Int16Array(960));
    dec.decode(new OpusEncoder().encode(speechLike(480)));
    expect(dec.conceal().length).toBe(480);
    dec.reset();
    expect(dec.conceal()).toEqual(new Int16Array(960));
    expect(dec.concealedFrames).toBe(3);
  });

  it('continues the signal rather than going silent', () => {
    const enc = new OpusEncoder();
    const dec = new OpusDecoder();
    for (let k = 0; k < 10; k++) dec.decode(enc.encode(speechLike(960, k * 960)));
    const plc = dec.conceal();
    expect(Math.max(...plc.map(Math.abs))).toBeGreaterThan(1000);
  });
});

describe('bad packets', () => {
  it('returns null with a reason and counts the drop', () => {
    const dec = new OpusDecoder();
    expect(dec.decode(new Uint8Array(0))).toBeNull();
    expect(dec.lastError).toBe('empty');
    expect(dec.decode(Uint8Array.from([(31 << 3) | 1, 0, 0, 0]))).toBeNull(); // R3
    expect(dec.lastError).toBe('malformed');
    expect(dec.decode(Uint8Array.from([(31 << 3) | 3, 7, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
    expect(dec.lastError).toBe('too-long');
    expect(dec.droppedPackets).toBe(3);
    expect(dec.decode(new OpusEncoder().encode(speechLike(960)))).not.toBeNull();
    expect(dec.lastError).toBeNull();
  });

  it('survives 4000 random packets of 1..1500 bytes; the parser agrees with libopus on every one', () => {
    const rand = prng(20240611);
    const dec = new OpusDecoder();
    const raw = createOpusDecoder(48000, 1);
    const rawOut = new Int16Array(5760);
    const info = createOpusPacketInfo();
    const reasons: Record<string, number> = { ok: 0, empty: 0, malformed: 0, 'too-long': 0, decoder: 0 };
    let disagreements = 0;
    for (let k = 0; k < 4000; k++) {
      const packet = new Uint8Array(1 + Math.floor(rand() * 1500));
      for (let i = 0; i < packet.length; i++) packet[i] = rand() * 256;
      if (k % 2 === 0) packet[0] &= 0xfb; // mono and stereo both
      const pcm = dec.decode(packet);
      reasons[pcm === null ? dec.lastError! : 'ok']++;
      if (pcm !== null) expect(pcm.length).toBe((parseOpusPacket(packet, info), info.totalSamples48k));
      // libopus on its own, unguarded: does it accept exactly what the parser accepts?
      const libopusOk = raw.decode(packet, rawOut) >= 0;
      if (libopusOk !== (parseOpusPacket(packet, info) === null)) disagreements++;
    }
    expect(reasons.decoder).toBe(0);
    expect(disagreements).toBe(0);
    expect(reasons.ok).toBeGreaterThan(500);
    expect(reasons.malformed).toBeGreaterThan(500);
    expect(dec.droppedPackets + dec.decodedPackets).toBe(4000);
  });

  it('survives mutations of real packets (single byte flips, truncation)', () => {
    const rand = prng(7);
    const packets = encodeRun(rawEncoder(64000, true), 20, 960).map((p) => new Uint8Array(p));
    const dec = new OpusDecoder();
    for (let k = 0; k < 2000; k++) {
      const src = packets[k % packets.length];
      const p = src.slice(0, 1 + Math.floor(rand() * src.length));
      p[Math.floor(rand() * p.length)] ^= 1 << Math.floor(rand() * 8);
      const out = dec.decode(p);
      expect(out === null ? dec.lastError : 'ok').not.toBe('decoder');
    }
  });

  it('rejects a non-byte-array argument as a programming error', () => {
    expect(() => new OpusDecoder().decode('x' as unknown as Uint8Array)).toThrow(/packet/);
  });
});

describe('CTL plumbing', () => {
  it('the decoder resets; the encoder takes the setters roomtone uses and refuses any other request', () => {
    expect(() => createOpusDecoder(48000, 1).reset()).not.toThrow();
    const enc = createOpusEncoder(48000, 1);
    expect(enc.ctl(OpusCtl.SET_BITRATE, 24000)).toBe(0);
    expect(enc.ctl(OpusCtl.RESET_STATE, 0)).toBe(0);
    expect(() => enc.ctl(4003, 0)).toThrow(/unsupported/); // OPUS_GET_BITRATE would need a pointer
  });
  it('pcmBuffer views PCM without copying', () => {
    const pcm = new Int16Array(4);
    expect(pcmBuffer(pcm).buffer).toBe(pcm.buffer);
  });
});
