import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { decodeMedia } from '../../../src/media/store/MediaStore.js';
import { decodeWav } from '../../../src/media/store/wavDecode.js';
import { goertzelDb } from '../../helpers/audio.js';
import { expectInvalidArgument } from '../../helpers/errors.js';
import { seededRandom } from '../../helpers/random.js';
import { chunk, makeWav, sine, type WavFormat } from './fixtures.js';

const RATE = 48000;
const LEVEL_DB = 20 * Math.log10(0.5); // the fixtures' sine: -6.02 dBFS

/** Decoded to 48 kHz: the length in ms and the 1 kHz level in the middle second. */
function measure(wav: Buffer): { ms: number; db: number; off: number } {
  const pcm = decodeMedia(wav);
  const mid = pcm.subarray(RATE / 4, RATE / 4 + RATE);
  return { ms: (pcm.length / RATE) * 1000, db: goertzelDb(mid, 1000, RATE), off: goertzelDb(mid, 1030, RATE) };
}

describe('decodeWav: formats', () => {
  const cases: [string, WavFormat, number][] = [
    ['8-bit unsigned, 16 kHz', { rate: 16000, bits: 8 }, 0.6],
    ['16-bit, 48 kHz', { rate: 48000 }, 0.05],
    ['16-bit, 8 kHz', { rate: 8000 }, 0.05],
    ['16-bit, 44.1 kHz', { rate: 44100 }, 0.05],
    ['16-bit stereo, 44.1 kHz', { rate: 44100, channels: 2 }, 0.05],
    ['24-bit, 96 kHz', { rate: 96000, bits: 24 }, 0.05],
    ['32-bit integer, 22.05 kHz', { rate: 22050, bits: 32 }, 0.05],
    ['32-bit float, 32 kHz', { rate: 32000, float: true, bits: 32 }, 0.05],
    ['extensible 24-bit, 6 channels, 192 kHz', { rate: 192000, bits: 24, channels: 6, extensible: true }, 0.05],
    ['extensible float, 11.025 kHz', { rate: 11025, bits: 32, float: true, extensible: true }, 0.05],
  ];
  it.each(cases)('%s: decodes to the right length, and the 1 kHz tone keeps its frequency and level', (_name, format, tolDb) => {
    const { ms, db, off } = measure(makeWav(sine(1000), 1.5, format));
    expect(ms).toBeCloseTo(1500, 0);
    expect(Math.abs(db - LEVEL_DB)).toBeLessThan(tolDb);
    expect(off).toBeLessThan(db - 60); // 30 Hz away: the tone did not move
  });

  it('averages the channels to mono', () => {
    const left = decodeWav(makeWav(sine(1000, 0.5, 0), 1, { rate: RATE, channels: 2 }));
    expect(left.rate).toBe(RATE);
    expect(left.samples.length).toBe(RATE);
    const db = goertzelDb(Int16Array.from(left.samples, (v) => Math.round(v * 32768)), 1000, RATE);
    expect(db).toBeCloseTo(LEVEL_DB - 6.02, 1);
  });

  it('reads samples exactly: 16-bit values and 8-bit unsigned offsets', () => {
    const wav16 = makeWav((i) => [0, 0.5, -0.5, -1][i % 4], 4 / 8000, { rate: 8000 });
    expect(Array.from(decodeWav(wav16).samples)).toEqual([0, 0.5, -0.5, -1]);
    const wav8 = makeWav((i) => [0, 0.5, -1][i % 3], 3 / 8000, { rate: 8000, bits: 8 });
    expect(Array.from(decodeWav(wav8).samples)).toEqual([0, 0.5, -1]);
  });
});

describe('decodeWav: odd files', () => {
  it('skips LIST, fact and JUNK chunks, with odd sizes padded, before and after the data', () => {
    const wav = makeWav(sine(1000), 1.5, {
      rate: 44100,
      before: [['JUNK', Buffer.alloc(27)]],
      between: [['LIST', Buffer.from('INFOISFT\x05\x00\x00\x00Lavf\x00', 'latin1')], ['fact', Buffer.alloc(4)]],
      after: [['id3 ', Buffer.alloc(9, 1)]],
    });
    const { ms, db } = measure(wav);
    expect(ms).toBeCloseTo(1500, 0);
    expect(db).toBeCloseTo(LEVEL_DB, 1);
  });

  it('reads a streaming writer\'s data size (0 or 0xFFFFFFFF) and a truncated file to the last whole frame', () => {
    for (const dataSize of [0, 0xffffffff, 10_000_000]) {
      const wav = makeWav(sine(1000), 1, { rate: RATE, dataSize });
      expect(decodeWav(wav).samples.length).toBe(RATE);
      expect(decodeWav(wav.subarray(0, wav.length - 3)).samples.length).toBe(RATE - 2);
    }
  });

  it('refuses audio longer than maxSeconds before decoding it', () => {
    const wav = makeWav(sine(1000), 2, { rate: 8000 });
    expect(decodeWav(wav, { maxSeconds: 2 }).samples.length).toBe(16000);
    expectInvalidArgument(() => decodeWav(wav, { maxSeconds: 1.5 }), 'file', /2\.0 s long/);
  });
});

describe('decodeWav: refusals', () => {
  const good = makeWav(sine(1000), 0.1, { rate: 16000 });
  const withFmt = (patch: (fmt: Buffer) => void) => {
    const b = Buffer.from(good);
    patch(b.subarray(20, 36));
    return b;
  };
  const cases: [string, Buffer, RegExp][] = [
    ['empty', Buffer.alloc(0), /not a WAV/],
    ['RIFF without WAVE', Buffer.from('RIFF\x04\x00\x00\x00AVI '), /not a WAV/],
    ['an Ogg file', Buffer.from('OggS\x00\x02'), /not a WAV/],
    ['RF64', Buffer.concat([Buffer.from('RF64'), good.subarray(4)]), /RF64/],
    ['no fmt chunk', Buffer.concat([good.subarray(0, 12), good.subarray(36)]), /no fmt/],
    ['no data chunk', good.subarray(0, 36), /no data/],
    ['a short fmt chunk', Buffer.concat([good.subarray(0, 12), chunk('fmt ', Buffer.alloc(14)), good.subarray(36)]), /shorter than 16/],
    ['ADPCM', withFmt((f) => f.writeUInt16LE(2, 0)), /audio format 2/],
    ['0 channels', withFmt((f) => f.writeUInt16LE(0, 2)), /0 channels/],
    ['9 channels', withFmt((f) => (f.writeUInt16LE(9, 2), f.writeUInt16LE(18, 12))), /9 channels/],
    ['4 kHz', withFmt((f) => f.writeUInt32LE(4000, 4)), /4000 Hz/],
    ['384 kHz', withFmt((f) => f.writeUInt32LE(384000, 4)), /384000 Hz/],
    ['12-bit', withFmt((f) => f.writeUInt16LE(12, 14)), /12-bit/],
    ['64-bit float', withFmt((f) => (f.writeUInt16LE(3, 0), f.writeUInt16LE(64, 14), f.writeUInt16LE(8, 12))), /64-bit float/],
    ['a wrong block align', withFmt((f) => f.writeUInt16LE(4, 12)), /block align/],
    ['an empty data chunk', makeWav(sine(1000), 0, { rate: 16000 }), /no audio/],
    ['half a sample frame', makeWav(sine(1000), 1 / 8000, { rate: 8000, bits: 16, channels: 2 }).subarray(0, 46), /no audio/],
  ];
  it.each(cases)('%s', (_name, bytes, reason) => {
    expectInvalidArgument(() => decodeWav(bytes), 'file', reason);
    expectInvalidArgument(() => decodeMedia(bytes), 'file');
  });

  it('throws nothing but InvalidArgumentError("file") on 3000 mutated and truncated files', () => {
    const random = seededRandom(7);
    const base = makeWav(sine(440), 0.02, { rate: 8000, channels: 2, between: [['LIST', Buffer.alloc(6)]] });
    let decoded = 0;
    for (let n = 0; n < 3000; n++) {
      const b = Buffer.from(base);
      for (let k = 1 + Math.floor(random() * 4); k > 0; k--) {
        // Mostly the headers, where the parser's decisions are.
        const at = Math.floor(random() * (random() < 0.8 ? 60 : b.length));
        b[at] = random() < 0.5 ? Math.floor(random() * 256) : [0, 0xff, 0x7f, 0x80][Math.floor(random() * 4)];
      }
      const cut = random() < 0.3 ? b.subarray(0, Math.floor(random() * b.length)) : b;
      try {
        const out = decodeWav(cut, { maxSeconds: 600 });
        expect(out.samples.every((v) => v >= -1 && v <= 1)).toBe(true);
        decoded++;
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        expect((e as InvalidArgumentError).field).toBe('file');
        expect((e as Error).message).not.toMatch(/could not be decoded as WAV/); // no internal error, rewrapped
      }
    }
    expect(decoded).toBeGreaterThan(100);
  });
});
