import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { OpusDecoder } from '../../src/codecs/OpusDecoder.js';
import { DEFAULT_OPUS_ENCODER_SETTINGS, OpusEncoder, OPUS_FRAME_SAMPLES_48K } from '../../src/codecs/OpusEncoder.js';
import { createOpusEncoder, OPUS_MAX_PACKET } from '../../src/codecs/opusBinding.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { speechLike } from './opusFixtures.js';

const silence = new Int16Array(960);

function packetSizes(enc: OpusEncoder, frames: number, signal: (k: number) => Int16Array): number[] {
  const sizes: number[] = [];
  for (let k = 0; k < frames; k++) sizes.push(enc.encode(signal(k)).length);
  return sizes;
}

/** Median µs per encode of one 20 ms frame. */
function encodeMicros(enc: OpusEncoder, frame: Int16Array, rounds: number): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 50; i++) enc.encode(frame);
    times.push(Number(process.hrtime.bigint() - t0) / 50 / 1000);
  }
  return times.sort((a, b) => a - b)[times.length >> 1];
}

describe('OpusEncoder.encode', () => {
  it('encodes every libopus frame size, 2.5 to 60 ms', () => {
    const enc = new OpusEncoder();
    const dec = new OpusDecoder();
    for (const size of OPUS_FRAME_SAMPLES_48K) expect(dec.decode(enc.encode(speechLike(size)))!.length).toBe(size);
    expect(enc.encodedFrames).toBe(6);
  });

  it('rejects other sizes with InvalidArgumentError before libopus sees them', () => {
    const enc = new OpusEncoder();
    for (const n of [0, 1, 100, 119, 959, 961, 1440, 3000, 5760]) expectInvalidArgument(() => enc.encode(new Int16Array(n)), 'pcm');
    expectInvalidArgument(() => enc.encode(new Uint8Array(1920) as unknown as Int16Array), 'pcm');
    expectInvalidArgument(() => enc.encode(new Float32Array(960) as unknown as Int16Array), 'pcm');
    expect(enc.encodedFrames).toBe(0);
    expect(enc.encode(speechLike(960)).length).toBeGreaterThan(0); // still alive and well
  });

  it('the addon itself answers a bad size with OPUS_BAD_ARG, where the old wrapper aborted the process', () => {
    const raw = createOpusEncoder(48000, 1);
    expect(raw.encode(new Int16Array(200), new Uint8Array(OPUS_MAX_PACKET))).toBe(-1); // OPUS_BAD_ARG
    const script = "const o=require('@discordjs/opus');new o.OpusEncoder(48000,1).encode(Buffer.alloc(200));console.log('survived')";
    const child = spawnSync(process.execPath, ['-e', script], { cwd: process.cwd(), encoding: 'utf8' });
    expect(child.stdout).not.toContain('survived');
    expect(child.signal).toBe('SIGABRT'); // a native fatal error, uncatchable from JS
  });

  it('reads the PCM again when the same array is passed again', () => {
    const enc = new OpusEncoder();
    const frame = speechLike(960);
    const a = enc.encode(frame).slice();
    frame.set(speechLike(960, 960));
    expect(enc.encode(frame)).not.toEqual(a); // the new contents were read
  });
});

describe('settings', () => {
  it('defaults, and reports what is in force', () => {
    expect(new OpusEncoder().settings).toEqual(DEFAULT_OPUS_ENCODER_SETTINGS);
    const enc = new OpusEncoder({ bitrate: 24000, fec: true });
    enc.configure({ dtx: true, packetLossPercent: 10 });
    expect(enc.settings).toEqual({ ...DEFAULT_OPUS_ENCODER_SETTINGS, bitrate: 24000, fec: true, dtx: true, packetLossPercent: 10 });
  });

  it('rejects out-of-range, mistyped and unknown settings, applying none of a bad batch', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ bitrate: 5999 }, 'bitrate'],
      [{ bitrate: 510001 }, 'bitrate'],
      [{ bitrate: 32000.5 }, 'bitrate'],
      [{ bitrate: '32000' }, 'bitrate'],
      [{ complexity: -1 }, 'complexity'],
      [{ complexity: 11 }, 'complexity'],
      [{ fec: 1 }, 'fec'],
      [{ dtx: 'yes' }, 'dtx'],
      [{ packetLossPercent: 101 }, 'packetLossPercent'],
      [{ packetLossPercent: NaN }, 'packetLossPercent'],
      [{ vbr: false }, 'vbr'],
      [{ bitrate: 16000, complexity: 99 }, 'complexity'],
    ];
    for (const [settings, field] of bad) expectInvalidArgument(() => new OpusEncoder(settings), field);
    const enc = new OpusEncoder();
    for (const [settings, field] of bad) expectInvalidArgument(() => enc.configure(settings), field);
    expect(enc.settings).toEqual(DEFAULT_OPUS_ENCODER_SETTINGS);
    expect(() => new OpusEncoder({ bitrate: 6000, complexity: 0, packetLossPercent: 100 })).not.toThrow();
    expect(() => new OpusEncoder({ bitrate: 510000, complexity: 10 })).not.toThrow();
  });
});

describe('the CTLs take effect', () => {
  it('DTX: digital silence becomes 1-byte packets after ~200 ms, with periodic refreshes', () => {
    const dtx = packetSizes(new OpusEncoder({ dtx: true }), 100, () => silence);
    const plain = packetSizes(new OpusEncoder({ dtx: false }), 100, () => silence);
    const tail = dtx.slice(20);
    expect(tail.filter((n) => n <= 2).length).toBeGreaterThan(0.9 * tail.length);
    expect(Math.min(...plain.slice(20))).toBeGreaterThan(2);
  });

  it('bitrate: packet sizes follow the target', () => {
    const mean = (bitrate: number) => {
      const sizes = packetSizes(new OpusEncoder({ bitrate }), 100, (k) => speechLike(960, k * 960));
      return sizes.slice(10).reduce((a, b) => a + b, 0) / 90;
    };
    for (const bitrate of [16000, 64000]) {
      const bytes = bitrate / 8 / 50;
      expect(Math.abs(mean(bitrate) - bytes) / bytes).toBeLessThan(0.3);
    }
  });

  it('FEC and packet loss percentage change the bitstream', () => {
    const stream = (s: ConstructorParameters<typeof OpusEncoder>[0]) => {
      const enc = new OpusEncoder(s);
      return Buffer.concat(Array.from({ length: 30 }, (_, k) => enc.encode(speechLike(960, k * 960)).slice()));
    };
    expect(stream({}).equals(stream({}))).toBe(true); // deterministic, so a difference means the CTL
    const base = stream({ bitrate: 24000, packetLossPercent: 20 });
    expect(stream({ bitrate: 24000, packetLossPercent: 20, fec: true }).equals(base)).toBe(false);
    expect(stream({ bitrate: 24000, packetLossPercent: 0 }).equals(base)).toBe(false);
  });

  it('complexity 0 encodes faster than complexity 10', () => {
    const frame = speechLike(960);
    const fast = new OpusEncoder({ complexity: 0 });
    const slow = new OpusEncoder({ complexity: 10 });
    encodeMicros(fast, frame, 3);
    encodeMicros(slow, frame, 3);
    const t0 = encodeMicros(fast, frame, 15);
    const t10 = encodeMicros(slow, frame, 15);
    expect(t0).toBeLessThan(0.8 * t10);
  });
});
