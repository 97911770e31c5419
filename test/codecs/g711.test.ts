import { describe, expect, it } from 'vitest';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from '../../src/codecs/g711.js';
import { expectInvalidArgument } from '../helpers/errors.js';

// The classic Sun/ITU g711.c, transcribed line for line: the native tables must match it for
// every input.
const SIGN_BIT = 0x80;
const QUANT_MASK = 0xf;
const SEG_SHIFT = 4;
const SEG_MASK = 0x70;
const BIAS = 0x84;
const CLIP = 8159;
const SEG_UEND = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const SEG_AEND = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function search(val: number, table: number[]): number {
  for (let i = 0; i < table.length; i++) if (val <= table[i]) return i;
  return table.length;
}

function linear2alaw(pcm16: number): number {
  let pcm = pcm16 >> 3; // 13-bit
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = search(pcm, SEG_AEND);
  if (seg >= 8) return 0x7f ^ mask;
  let aval = seg << SEG_SHIFT;
  if (seg < 2) aval |= (pcm >> 1) & QUANT_MASK;
  else aval |= (pcm >> seg) & QUANT_MASK;
  return aval ^ mask;
}

function alaw2linear(code: number): number {
  const a = code ^ 0x55;
  let t = (a & QUANT_MASK) << 4;
  const seg = (a & SEG_MASK) >> SEG_SHIFT;
  switch (seg) {
    case 0:
      t += 8;
      break;
    case 1:
      t += 0x108;
      break;
    default:
      t += 0x108;
      t <<= seg - 1;
  }
  return a & SIGN_BIT ? t : -t;
}

function linear2ulaw(pcm16: number): number {
  let pcm = pcm16 >> 2; // 14-bit
  let mask: number;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (pcm > CLIP) pcm = CLIP;
  pcm += BIAS >> 2;
  const seg = search(pcm, SEG_UEND);
  if (seg >= 8) return 0x7f ^ mask;
  const uval = (seg << 4) | ((pcm >> (seg + 1)) & 0xf);
  return uval ^ mask;
}

function ulaw2linear(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & QUANT_MASK) << 3) + BIAS;
  t <<= (u & SEG_MASK) >> SEG_SHIFT;
  return u & SIGN_BIT ? BIAS - t : t - BIAS;
}

const ALL_PCM = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);

const laws = [
  { name: 'mu-law', encode: encodeUlaw, decode: decodeUlaw, refEncode: linear2ulaw, refDecode: ulaw2linear },
  { name: 'A-law', encode: encodeAlaw, decode: decodeAlaw, refEncode: linear2alaw, refDecode: alaw2linear },
] as const;

function firstMismatch(actual: ArrayLike<number>, expected: (i: number) => number): string | undefined {
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected(i)) return `index ${i}: got ${actual[i]}, want ${expected(i)}`;
  }
  return undefined;
}

describe.each(laws)('$name against the reference g711.c', ({ encode, decode, refEncode, refDecode }) => {
  it('encodes all 65536 int16 inputs as the reference does', () => {
    const out = new Uint8Array(65536);
    expect(encode(ALL_PCM, out)).toBe(65536);
    expect(firstMismatch(out, (i) => refEncode(ALL_PCM[i]))).toBeUndefined();
  });

  it('decodes all 256 codes as the reference does', () => {
    const out = new Int16Array(256);
    expect(decode(ALL_CODES, out)).toBe(256);
    expect(firstMismatch(out, (i) => refDecode(i))).toBeUndefined();
  });

  it('is monotonic and reconstructs every sample inside its own decision interval', () => {
    const codes = new Uint8Array(65536);
    const back = new Int16Array(65536);
    encode(ALL_PCM, codes);
    decode(codes, back);
    for (let i = 1; i < 65536; i++) expect(back[i] >= back[i - 1]).toBe(true);
    // Each code's reconstruction lies between the smallest and largest input mapping to it
    // (the clipped ends aside, whose intervals run to full scale).
    const lo = new Map<number, number>();
    const hi = new Map<number, number>();
    for (let i = 0; i < 65536; i++) {
      const c = codes[i];
      if (!lo.has(c)) lo.set(c, ALL_PCM[i]);
      hi.set(c, ALL_PCM[i]);
    }
    for (const [c, min] of lo) {
      const v = refDecode(c);
      const max = hi.get(c)!;
      if (min === -32768 || max === 32767) continue;
      expect(v, `code ${c}`).toBeGreaterThanOrEqual(min);
      expect(v, `code ${c}`).toBeLessThanOrEqual(max);
    }
  });

  it('re-encodes every decoded code to a code that decodes to the same value', () => {
    const pcm = new Int16Array(256);
    const codes = new Uint8Array(256);
    const again = new Int16Array(256);
    decode(ALL_CODES, pcm);
    encode(pcm, codes);
    decode(codes, again);
    expect(Array.from(again)).toEqual(Array.from(pcm));
  });
});

describe('G.711 known values', () => {
  it('maps silence and full scale to the standard codes', () => {
    const pcm = Int16Array.of(0, 32767, -32768, -1);
    const u = new Uint8Array(4);
    const a = new Uint8Array(4);
    encodeUlaw(pcm, u);
    encodeAlaw(pcm, a);
    // -1 is -1 in 14 (and 13) bits too: the arithmetic shift rounds toward minus infinity.
    expect(Array.from(u)).toEqual([0xff, 0x80, 0x00, 0x7e]);
    expect(Array.from(a)).toEqual([0xd5, 0xaa, 0x2a, 0x55]);
    const du = new Int16Array(4);
    const da = new Int16Array(4);
    decodeUlaw(Uint8Array.of(0xff, 0x7f, 0x80, 0x00), du);
    decodeAlaw(Uint8Array.of(0xd5, 0x55, 0xaa, 0x2a), da);
    expect(Array.from(du)).toEqual([0, 0, 32124, -32124]);
    expect(Array.from(da)).toEqual([8, -8, 32256, -32256]);
  });

  it('round-trips every int16 within half a quantisation step', () => {
    const codes = new Uint8Array(65536);
    const back = new Int16Array(65536);
    // mu-law: the step is at most (|x'| + 132) / 16, where x' is x after the 14-bit
    // truncation, which also moves x by up to 3.
    encodeUlaw(ALL_PCM, codes);
    decodeUlaw(codes, back);
    for (let i = 0; i < 65536; i++) {
      const x = ALL_PCM[i];
      const err = Math.abs(back[i] - x);
      const bound = Math.abs(x) <= 32124 ? (Math.abs(x) + 3 + 132) / 32 + 3 : Math.abs(x) - 32124 + 1;
      expect(err <= bound, `mu-law x=${x} err=${err}`).toBe(true);
    }
    // A-law: step max(16, |x| / 16); its reconstruction levels sit mid-step in 16-bit terms.
    encodeAlaw(ALL_PCM, codes);
    decodeAlaw(codes, back);
    for (let i = 0; i < 65536; i++) {
      const x = ALL_PCM[i];
      const err = Math.abs(back[i] - x);
      const bound = Math.abs(x) <= 32256 ? Math.max(8, Math.abs(x) / 32) : Math.abs(x) - 32256 + 1;
      expect(err <= bound, `A-law x=${x} err=${err}`).toBe(true);
    }
  });

  it('keeps a -10 dBFS tone at the usual G.711 signal-to-noise ratio (over 35 dB)', () => {
    const n = 8000;
    const pcm = Int16Array.from({ length: n }, (_, i) => Math.round(10362 * Math.sin((2 * Math.PI * 1013 * i) / 8000)));
    const codes = new Uint8Array(n);
    const back = new Int16Array(n);
    for (const [encode, decode] of [
      [encodeUlaw, decodeUlaw],
      [encodeAlaw, decodeAlaw],
    ] as const) {
      encode(pcm, codes);
      decode(codes, back);
      let sig = 0;
      let noise = 0;
      for (let i = 0; i < n; i++) {
        sig += pcm[i] * pcm[i];
        noise += (back[i] - pcm[i]) ** 2;
      }
      expect(10 * Math.log10(sig / noise)).toBeGreaterThan(35);
    }
  });
});

describe('G.711 wrappers', () => {
  it('write only the first n elements of a longer view, at its byte offset', () => {
    const pcmBuf = new Int16Array(12).fill(1000);
    const pcm = pcmBuf.subarray(3, 7); // 4 samples at byte offset 6
    const payloadBuf = new Uint8Array(16).fill(0x11);
    const payload = payloadBuf.subarray(5, 13); // room for 8
    expect(encodeUlaw(pcm, payload)).toBe(4);
    expect(Array.from(payloadBuf)).toEqual([
      ...Array(5).fill(0x11),
      ...Array(4).fill(linear2ulaw(1000)),
      ...Array(7).fill(0x11),
    ]);
    const outBuf = new Int16Array(10).fill(7);
    expect(decodeAlaw(payloadBuf.subarray(0, 2), outBuf.subarray(4))).toBe(2);
    expect(Array.from(outBuf)).toEqual([7, 7, 7, 7, alaw2linear(0x11), alaw2linear(0x11), 7, 7, 7, 7]);
  });

  it('accept a Buffer as payload and empty inputs', () => {
    const buf = Buffer.alloc(3);
    expect(encodeAlaw(Int16Array.of(0, 0, 0), buf)).toBe(3);
    expect(Array.from(buf)).toEqual([0xd5, 0xd5, 0xd5]);
    expect(encodeUlaw(new Int16Array(0), new Uint8Array(0))).toBe(0);
    expect(decodeUlaw(new Uint8Array(0), new Int16Array(0))).toBe(0);
  });

  const bad = (v: unknown) => v as never;
  const cases: [string, () => unknown, string][] = [
    ['encodeUlaw pcm as Uint8Array', () => encodeUlaw(bad(new Uint8Array(4)), new Uint8Array(4)), 'pcm'],
    ['encodeUlaw pcm as number[]', () => encodeUlaw(bad([1, 2]), new Uint8Array(4)), 'pcm'],
    ['encodeAlaw pcm undefined', () => encodeAlaw(bad(undefined), new Uint8Array(4)), 'pcm'],
    ['encodeAlaw out as Int8Array', () => encodeAlaw(new Int16Array(4), bad(new Int8Array(4))), 'out'],
    ['encodeUlaw out as Uint8ClampedArray', () => encodeUlaw(new Int16Array(4), bad(new Uint8ClampedArray(4))), 'out'],
    ['encodeUlaw out too short', () => encodeUlaw(new Int16Array(160), new Uint8Array(159)), 'out'],
    ['encodeAlaw out too short', () => encodeAlaw(new Int16Array(2), new Uint8Array(1)), 'out'],
    ['decodeUlaw payload as Int16Array', () => decodeUlaw(bad(new Int16Array(4)), new Int16Array(4)), 'payload'],
    ['decodeAlaw payload null', () => decodeAlaw(bad(null), new Int16Array(4)), 'payload'],
    ['decodeAlaw out as Uint16Array', () => decodeAlaw(new Uint8Array(4), bad(new Uint16Array(4))), 'out'],
    ['decodeUlaw out too short', () => decodeUlaw(new Uint8Array(160), new Int16Array(80)), 'out'],
    ['decodeAlaw out too short', () => decodeAlaw(new Uint8Array(3), new Int16Array(2)), 'out'],
  ];
  it.each(cases)('rejects %s, naming the field', (_, call, field) => expectInvalidArgument(call, field));
});
