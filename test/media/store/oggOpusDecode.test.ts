import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { decodeMedia } from '../../../src/media/store/MediaStore.js';
import { decodeOggOpus } from '../../../src/media/store/oggOpusDecode.js';
import { goertzelDb } from '../../helpers/audio.js';
import { expectInvalidArgument } from '../../helpers/errors.js';
import { seededRandom } from '../../helpers/random.js';
import { oggPages, oggSine } from './fixtures.js';

const RATE = 48000;
const FFMPEG_SINE_DB = 20 * Math.log10(1 / 8);
const ms = (pcm: Int16Array) => (pcm.length / RATE) * 1000;

let mono: Buffer;
beforeAll(() => {
  mono = oggSine(440, 1);
});

describe('decodeOggOpus: files from ffmpeg', () => {
  it('decodes 1 s of a 440 Hz tone to 1 s (pre-skip dropped, end trimmed) at its level', () => {
    const pcm = decodeOggOpus(mono);
    expect(Math.abs(ms(pcm) - 1000)).toBeLessThanOrEqual(20);
    const mid = pcm.subarray(RATE / 4, (3 * RATE) / 4);
    expect(goertzelDb(mid, 440, RATE)).toBeCloseTo(FFMPEG_SINE_DB, 0);
    expect(goertzelDb(mid, 480, RATE)).toBeLessThan(FFMPEG_SINE_DB - 50);
    // The pre-skip is gone: the tone is there from the first milliseconds.
    expect(goertzelDb(pcm.subarray(0, 480), 440, RATE)).toBeGreaterThan(FFMPEG_SINE_DB - 6);
  });

  // ffmpeg upmixes the mono sine to stereo at -3 dB a channel; the decoder averages the two.
  it.each([
    ['stereo from 44.1 kHz', { rate: 44100, channels: 2 }, 2.5, -3.01],
    ['16 kHz input, 60 ms frames', { rate: 16000, extra: ['-frame_duration', '60'] }, 1.3, 0],
    ['8 kHz input, 10 ms frames', { rate: 8000, extra: ['-frame_duration', '10'] }, 0.7, 0],
  ])('%s decodes to its length (within 20 ms) and tone', (_name, opts, seconds, gainDb) => {
    const pcm = decodeMedia(oggSine(1000, seconds, opts));
    expect(Math.abs(ms(pcm) - seconds * 1000)).toBeLessThanOrEqual(20);
    expect(goertzelDb(pcm.subarray(RATE / 10, RATE / 2), 1000, RATE)).toBeCloseTo(FFMPEG_SINE_DB + gainDb, 0);
  });

  it('plays chained streams one after the other, and ignores bytes after the last page', () => {
    const second = oggSine(880, 0.5);
    const pcm = decodeOggOpus(Buffer.concat([mono, second, Buffer.from('TAG trailing junk')]));
    expect(Math.abs(ms(pcm) - 1500)).toBeLessThanOrEqual(40);
    expect(goertzelDb(pcm.subarray(RATE / 4, RATE / 2), 440, RATE)).toBeGreaterThan(-20);
    expect(goertzelDb(pcm.subarray(RATE + RATE / 8, RATE + RATE / 3), 880, RATE)).toBeGreaterThan(-20);
    expect(goertzelDb(pcm.subarray(RATE + RATE / 8, RATE + RATE / 3), 440, RATE)).toBeLessThan(-50);
  });

  it('applies the OpusHead output gain (CRC checking off for the patched page)', () => {
    const b = Buffer.from(mono);
    b.writeInt16LE(6 * 256, oggPages(b)[0].dataAt + 16);
    expectInvalidArgument(() => decodeOggOpus(b), 'file', /CRC/);
    const pcm = decodeOggOpus(b, { checkCrc: false });
    expect(goertzelDb(pcm.subarray(RATE / 4, (3 * RATE) / 4), 440, RATE)).toBeCloseTo(FFMPEG_SINE_DB + 6, 0);
  });

  it('refuses audio longer than maxSeconds while decoding', () => {
    expect(ms(decodeOggOpus(mono, { maxSeconds: 1.1 }))).toBeGreaterThan(900);
    expectInvalidArgument(() => decodeOggOpus(mono, { maxSeconds: 0.5 }), 'file', /longer than 0.5 s/);
  });
});

describe('decodeOggOpus: refusals', () => {
  const patched = (patch: (b: Buffer, pages: ReturnType<typeof oggPages>) => void) => {
    const b = Buffer.from(mono);
    patch(b, oggPages(b));
    return b;
  };
  const cases: [string, () => Buffer, RegExp][] = [
    ['not Ogg', () => Buffer.from('RIFF....WAVE'), /not an Ogg/],
    ['empty', () => Buffer.alloc(0), /not an Ogg/],
    ['a flipped payload byte', () => patched((b, p) => (b[p[2].dataAt + 5] ^= 0x40)), /bad CRC/],
    ['truncated in a page', () => mono.subarray(0, mono.length - 100), /truncated/],
    ['truncated in a page header', () => { const p = oggPages(mono); return mono.subarray(0, p[2].at + 10); }, /no Ogg page/],
    ['a missing page', () => { const p = oggPages(mono); return Buffer.concat([mono.subarray(0, p[2].at), mono.subarray(p[3].at)]); }, /missing Ogg page/],
    ['garbage between pages', () => { const p = oggPages(mono); return Buffer.concat([mono.subarray(0, p[2].at), Buffer.from('xx'), mono.subarray(p[2].at)]); }, /no Ogg page at byte/],
    ['only the OpusHead page', () => mono.subarray(0, oggPages(mono)[1].at), /before its OpusTags/],
    ['Ogg version 1', () => patched((b) => (b[4] = 1)), /version 1/],
  ];
  it.each(cases)('%s', (_name, make, reason) => {
    expectInvalidArgument(() => decodeOggOpus(make()), 'file', reason);
  });

  const headerCases: [string, (b: Buffer, head: number, tags: number) => void, RegExp][] = [
    ['no OpusHead (another codec)', (b, h) => b.write('Vorbis!!', h, 'ascii'), /no Opus stream/],
    ['OpusHead version 16', (b, h) => (b[h + 8] = 16), /version 16/],
    ['0 channels', (b, h) => (b[h + 9] = 0), /0 channels/],
    ['3 channels in family 0', (b, h) => (b[h + 9] = 3), /more than 2 channels/],
    ['multistream (family 1)', (b, h) => (b[h + 18] = 1), /mapping|streams/],
    ['no OpusTags', (b, _h, t) => b.write('OpusTagz', t, 'ascii'), /OpusTags/],
    ['an oversized vendor string', (b, _h, t) => b.writeUInt32LE(0x7fffffff, t + 8), /vendor/],
  ];
  it.each(headerCases)('%s', (_name, patch, reason) => {
    const b = Buffer.from(mono);
    const p = oggPages(b);
    patch(b, p[0].dataAt, p[1].dataAt);
    expectInvalidArgument(() => decodeOggOpus(b, { checkCrc: false }), 'file', reason);
  });

  it('refuses an undecodable audio packet', () => {
    const b = Buffer.from(mono);
    const p = oggPages(b)[2];
    b[p.dataAt] = 0xff; // TOC: code 3 ...
    b[p.dataAt + 1] = 0xff; // ... claiming 63 frames: more than 120 ms
    expectInvalidArgument(() => decodeOggOpus(b, { checkCrc: false }), 'file', /Opus packet/);
  });

  it('throws nothing but InvalidArgumentError("file") on 1500 mutated files', () => {
    const random = seededRandom(11);
    const small = oggSine(440, 0.2);
    const pages = oggPages(small);
    let decoded = 0;
    for (let n = 0; n < 1500; n++) {
      const b = Buffer.from(small);
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--) {
        const page = pages[Math.floor(random() * pages.length)];
        const at = page.at + Math.floor(random() * Math.min(page.size, random() < 0.7 ? 60 : page.size));
        b[at] = Math.floor(random() * 256);
      }
      try {
        decodeOggOpus(random() < 0.2 ? b.subarray(0, Math.floor(random() * b.length)) : b, { checkCrc: false, maxSeconds: 600 });
        decoded++;
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        expect((e as InvalidArgumentError).field).toBe('file');
        expect((e as Error).message).not.toMatch(/could not be decoded as Ogg Opus/); // no internal error, rewrapped
      }
    }
    expect(decoded).toBeGreaterThan(50);
  });
});
