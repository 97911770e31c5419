import { describe, expect, it } from 'vitest';
import {
  createOpusPacketInfo,
  opusConfigMode,
  opusConfigSamples48k,
  parseOpusPacket,
  type OpusPacketInfo,
} from '../../src/codecs/opusPacket.js';
import { frameLength } from './opusFixtures.js';

const CELT_FB_20 = 31 << 3; // config 31: CELT fullband 20 ms
const CELT_FB_2_5 = 28 << 3;
const SILK_NB_60 = 3 << 3;

function parse(bytes: number[] | Uint8Array): { error: string | null; info: OpusPacketInfo } {
  const info = createOpusPacketInfo();
  const error = parseOpusPacket(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes), info);
  return { error, info };
}
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

describe('TOC byte (RFC 6716 §3.1)', () => {
  it('maps every configuration to its mode and frame duration', () => {
    const ms = (c: number) => opusConfigSamples48k(c) / 48;
    expect([0, 1, 2, 3].map(ms)).toEqual([10, 20, 40, 60]); // SILK NB
    expect([8, 9, 10, 11].map(ms)).toEqual([10, 20, 40, 60]); // SILK WB
    expect([12, 13, 14, 15].map(ms)).toEqual([10, 20, 10, 20]); // Hybrid SWB, FB
    expect([16, 17, 18, 19, 28, 29, 30, 31].map(ms)).toEqual([2.5, 5, 10, 20, 2.5, 5, 10, 20]); // CELT
    expect([0, 11, 12, 15, 16, 31].map(opusConfigMode)).toEqual(['silk', 'silk', 'hybrid', 'hybrid', 'celt', 'celt']);
  });

  it('reads the stereo flag and the frame-count code', () => {
    const { error, info } = parse([CELT_FB_20 | 4, 1, 2, 3]);
    expect(error).toBeNull();
    expect(info).toMatchObject({ config: 31, mode: 'celt', stereo: true, code: 0, frames: 1, samplesPerFrame48k: 960, totalSamples48k: 960 });
  });
});

describe('valid packets', () => {
  it('code 0: one frame, including a TOC-only packet (a zero-length frame)', () => {
    expect(parse([SILK_NB_60]).info).toMatchObject({ frames: 1, totalSamples48k: 2880 });
    expect(parse([CELT_FB_20, ...zeros(1275)]).error).toBeNull();
  });

  it('code 1: two frames of equal size', () => {
    const { error, info } = parse([CELT_FB_20 | 1, ...zeros(10)]);
    expect(error).toBeNull();
    expect(info).toMatchObject({ code: 1, frames: 2, totalSamples48k: 1920 });
    expect(parse([CELT_FB_20 | 1]).error).toBeNull(); // two empty frames
  });

  it('code 2: two frames, the first with a one- or two-byte length', () => {
    expect(parse([CELT_FB_20 | 2, 3, 1, 2, 3, 9, 9]).info).toMatchObject({ code: 2, frames: 2, totalSamples48k: 1920 });
    expect(parse([CELT_FB_20 | 2, ...frameLength(300), ...zeros(300), ...zeros(5)]).error).toBeNull();
    expect(parse([CELT_FB_20 | 2, 0]).error).toBeNull(); // both frames empty
  });

  it('code 3 CBR, with and without padding', () => {
    expect(parse([CELT_FB_20 | 3, 3, ...zeros(30)]).info).toMatchObject({ frames: 3, vbr: false, totalSamples48k: 2880 });
    // Padding of 300 bytes: length bytes 255 (254) + 46, then 300 trailing bytes.
    const { error, info } = parse([CELT_FB_20 | 3, 0x40 | 2, 255, 46, ...zeros(20), ...zeros(300)]);
    expect(error).toBeNull();
    expect(info).toMatchObject({ frames: 2, paddingBytes: 302 });
  });

  it('code 3 VBR, with two-byte lengths and padding', () => {
    const bytes = [CELT_FB_20 | 3, 0xc0 | 3, 2, ...frameLength(400), 5, ...zeros(400), ...zeros(5), ...zeros(7), 0, 0];
    const { error, info } = parse(bytes);
    expect(error).toBeNull();
    expect(info).toMatchObject({ frames: 3, vbr: true, paddingBytes: 3 });
  });

  it('code 3 up to exactly 120 ms: 48 frames of 2.5 ms, 2 of 60 ms', () => {
    expect(parse([CELT_FB_2_5 | 3, 48]).info.totalSamples48k).toBe(5760);
    expect(parse([SILK_NB_60 | 3, 2]).info.totalSamples48k).toBe(5760);
  });
});

describe('rejections (RFC 6716 §3.4)', () => {
  it('R1: an empty packet', () => {
    expect(parse([]).error).toBe('empty');
  });

  it('R2: an implicit frame longer than 1275 bytes', () => {
    expect(parse([CELT_FB_20, ...zeros(1276)]).error).toBe('malformed'); // code 0
    expect(parse([CELT_FB_20 | 1, ...zeros(2 * 1276)]).error).toBe('malformed'); // code 1
    expect(parse([CELT_FB_20 | 2, 0, ...zeros(1276)]).error).toBe('malformed'); // code 2, second frame
    expect(parse([CELT_FB_20 | 3, 1, ...zeros(1276)]).error).toBe('malformed'); // code 3 CBR
    expect(parse([CELT_FB_20 | 3, 0x80 | 2, 0, ...zeros(1276)]).error).toBe('malformed'); // code 3 VBR, last
  });

  it('R3: a code 1 packet of even total length', () => {
    expect(parse([CELT_FB_20 | 1, 0, 0, 0]).error).toBe('malformed');
  });

  it('R4: a code 2 length that is missing, truncated, or longer than the rest', () => {
    expect(parse([CELT_FB_20 | 2]).error).toBe('malformed');
    expect(parse([CELT_FB_20 | 2, 252]).error).toBe('malformed'); // second length byte missing
    expect(parse([CELT_FB_20 | 2, 5, 1, 2, 3, 4]).error).toBe('malformed');
    expect(parse([CELT_FB_20 | 2, 252, 1, ...zeros(255)]).error).toBe('malformed'); // 256 > 255 left
  });

  it('R5: a code 3 packet with no frames, or more than 120 ms', () => {
    expect(parse([CELT_FB_20 | 3, 0]).error).toBe('malformed');
    expect(parse([CELT_FB_20 | 3, 7, ...zeros(7)]).error).toBe('too-long'); // 140 ms
    expect(parse([CELT_FB_2_5 | 3, 49]).error).toBe('too-long');
    expect(parse([SILK_NB_60 | 3, 0x80 | 3, 0, 0]).error).toBe('too-long'); // 180 ms
  });

  it('R6: a CBR code 3 packet that is too short, over-padded, or not divisible by M', () => {
    expect(parse([CELT_FB_20 | 3]).error).toBe('malformed');
    expect(parse([CELT_FB_20 | 3, 0x40 | 1]).error).toBe('malformed'); // padding length missing
    expect(parse([CELT_FB_20 | 3, 0x40 | 1, 255]).error).toBe('malformed'); // continued, then missing
    expect(parse([CELT_FB_20 | 3, 0x40 | 1, 10, ...zeros(9)]).error).toBe('malformed'); // P > N-2
    expect(parse([CELT_FB_20 | 3, 3, ...zeros(10)]).error).toBe('malformed'); // 10 mod 3
    expect(parse([CELT_FB_20 | 3, 0x40 | 3, 2, ...zeros(10)]).error).toBe('malformed'); // (10-2) mod 3
    expect(parse([CELT_FB_20 | 3, 0x40 | 3, 1, ...zeros(10)]).error).toBeNull(); // (10-1) mod 3 = 0
  });

  it('R7: a VBR code 3 packet too short for its header, lengths and padding', () => {
    expect(parse([CELT_FB_20 | 3, 0x80 | 3, 5]).error).toBe('malformed'); // second length missing
    expect(parse([CELT_FB_20 | 3, 0x80 | 3, 252]).error).toBe('malformed'); // two-byte length cut
    expect(parse([CELT_FB_20 | 3, 0x80 | 3, 5, 5, ...zeros(9)]).error).toBe('malformed'); // 10 > 9
    expect(parse([CELT_FB_20 | 3, 0xc0 | 2, 4, 3, ...zeros(6)]).error).toBe('malformed'); // 3 + 4 > 6
    expect(parse([CELT_FB_20 | 3, 0xc0 | 2, 4, 3, ...zeros(7)]).error).toBeNull(); // just fits
  });
});

describe('allocation', () => {
  it('fills the caller object and returns a constant, so the per-packet path allocates nothing', () => {
    const info = createOpusPacketInfo();
    const packet = Uint8Array.from([CELT_FB_20 | 3, 0x80 | 3, 2, 2, ...zeros(7)]);
    expect(parseOpusPacket(packet, info)).toBeNull();
    const before = info;
    for (let i = 0; i < 1000; i++) parseOpusPacket(packet, info);
    expect(info).toBe(before);
  });
});
