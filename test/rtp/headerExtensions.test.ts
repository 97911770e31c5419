import { describe, expect, it } from 'vitest';
import {
  extensionLengthAt,
  findExtension,
  findExtensionOffset,
  isTwoByteProfile,
  readAudioLevel,
} from '../../src/rtp/headerExtensions.js';
import { newRtpPacket, parseRtp, type RtpPacket } from '../../src/rtp/RtpPacket.js';
import { expectInvalidArgument } from '../helpers/errors.js';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));

/** An RTP packet with the X bit set, the given extension block (header included) and 4 payload bytes. */
function withExtension(block: string): { buf: Uint8Array; pkt: RtpPacket } {
  const buf = hex(`90 6f 00 01 00 00 00 00 00 00 00 01 ${block} 01 02 03 04`);
  const pkt = newRtpPacket();
  expect(parseRtp(buf, buf.length, pkt)).toBeNull();
  return { buf, pkt };
}

describe('one-byte header extensions (RFC 8285 §4.2)', () => {
  // id 1 (1 byte: d5), a padding byte, id 2 (3 bytes: aa bb cc), a padding byte.
  const { buf, pkt } = withExtension('be de 00 02  10 d5 00 22  aa bb cc 00');

  it('finds each element past padding and reports its length', () => {
    expect(findExtensionOffset(buf, pkt, 1)).toBe(17);
    expect(findExtensionOffset(buf, pkt, 2)).toBe(20);
    expect(extensionLengthAt(buf, pkt, 17)).toBe(1);
    expect(extensionLengthAt(buf, pkt, 20)).toBe(3);
    expect(findExtension(buf, pkt, 2)).toEqual({ offset: 20, length: 3 });
  });

  it('returns -1 / null for an absent id, and for ids the one-byte form cannot carry', () => {
    expect(findExtensionOffset(buf, pkt, 3)).toBe(-1);
    expect(findExtensionOffset(buf, pkt, 15)).toBe(-1);
    expect(findExtensionOffset(buf, pkt, 200)).toBe(-1);
    expect(findExtension(buf, pkt, 3)).toBeNull();
  });

  it('stops at the reserved id 15 and keeps only what came before', () => {
    const p = withExtension('be de 00 02  10 d5 f0 20  aa 00 00 00');
    expect(findExtensionOffset(p.buf, p.pkt, 1)).toBe(17);
    expect(findExtensionOffset(p.buf, p.pkt, 2)).toBe(-1);
  });

  it('ignores an element running past the block', () => {
    const p = withExtension('be de 00 01  1f 01 02 03');
    expect(findExtensionOffset(p.buf, p.pkt, 1)).toBe(-1);
  });

  it('rejects an id outside 1..255', () => {
    expectInvalidArgument(() => findExtensionOffset(buf, pkt, 0), 'id');
    expectInvalidArgument(() => findExtensionOffset(buf, pkt, 256), 'id');
    expectInvalidArgument(() => readAudioLevel(buf, pkt, 1.5), 'id');
  });
});

describe('two-byte header extensions (RFC 8285 §4.3)', () => {
  // id 1 (1 byte: 7f), padding, id 5 (empty), id 7 (2 bytes: aa bb), padding to a word.
  const { buf, pkt } = withExtension('10 00 00 03  01 01 7f 00  05 00 07 02  aa bb 00 00');

  it('recognises the 0x100x profiles', () => {
    expect(isTwoByteProfile(0x1000)).toBe(true);
    expect(isTwoByteProfile(0x100f)).toBe(true);
    expect(isTwoByteProfile(0x1010)).toBe(false);
    expect(isTwoByteProfile(0xbede)).toBe(false);
  });

  it('finds elements, empty ones included', () => {
    expect(findExtension(buf, pkt, 1)).toEqual({ offset: 18, length: 1 });
    expect(findExtension(buf, pkt, 5)).toEqual({ offset: 22, length: 0 });
    expect(findExtension(buf, pkt, 7)).toEqual({ offset: 24, length: 2 });
    expect(findExtensionOffset(buf, pkt, 2)).toBe(-1);
  });

  it('ignores an element running past the block', () => {
    const p = withExtension('10 00 00 01  01 05 00 00');
    expect(findExtensionOffset(p.buf, p.pkt, 1)).toBe(-1);
  });
});

describe('other profiles and packets without extensions', () => {
  it('finds nothing', () => {
    const p = withExtension('ab cd 00 01  10 d5 00 00');
    expect(findExtensionOffset(p.buf, p.pkt, 1)).toBe(-1);
    expect(extensionLengthAt(p.buf, p.pkt, 17)).toBe(-1);
    const plain = hex('80 00 00 01 00 00 00 00 00 00 00 01 00');
    const pkt = newRtpPacket();
    parseRtp(plain, plain.length, pkt);
    expect(findExtensionOffset(plain, pkt, 1)).toBe(-1);
    expect(readAudioLevel(plain, pkt, 1)).toBe(-1);
  });
});

describe('readAudioLevel (RFC 6464)', () => {
  it('returns the voice activity bit and the level in -dBov', () => {
    const { buf, pkt } = withExtension('be de 00 01  10 d5 00 00'); // V=1, level 85
    const v = readAudioLevel(buf, pkt, 1);
    expect(v).toBe(0xd5);
    expect(v & 0x80).toBe(0x80);
    expect(v & 0x7f).toBe(85);
    const quiet = withExtension('be de 00 01  30 7f 00 00'); // id 3, V=0, level 127 (silence)
    expect(readAudioLevel(quiet.buf, quiet.pkt, 3)).toBe(127);
    expect(readAudioLevel(quiet.buf, quiet.pkt, 1)).toBe(-1);
  });

  it('reads the two-byte form, and refuses an empty element', () => {
    const { buf, pkt } = withExtension('10 00 00 02  01 01 8a 00  02 00 00 00');
    expect(readAudioLevel(buf, pkt, 1)).toBe(0x8a);
    expect(readAudioLevel(buf, pkt, 2)).toBe(-1);
  });
});
