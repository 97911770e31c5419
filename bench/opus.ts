// Opus over one 20 ms 48 kHz mono frame of speech-like audio: encode at complexity 5 and 9 (the
// roomtone voice settings otherwise), and decode. Inputs are 1 s of distinct frames, cycled, so
// the codec sees a moving signal rather than one frame repeated. The same frames also go through
// @discordjs/opus's own wrapper (its plain-C libopus build, a Buffer per call), which roomtone
// used before libopus moved into the addon: the ratio is what that move bought.
import opus from '@discordjs/opus';
import type { Bench } from 'tinybench';
import { OpusDecoder } from '../src/codecs/OpusDecoder.js';
import { OpusEncoder } from '../src/codecs/OpusEncoder.js';

const RATE = 48000;
const FRAME = 960;
const FRAMES = 50;
const OPUS_SET_COMPLEXITY = 4010;
const WRAPPER_ENCODE = 'opus encode 20ms complexity 5, @discordjs/opus';
const WRAPPER_DECODE = 'opus decode 20ms, @discordjs/opus';

/** Voiced speech stand-in: 140 Hz harmonics rolling off as 1/h, a syllable envelope, light noise. */
function speechFrames(): Int16Array[] {
  const frames: Int16Array[] = [];
  let seed = 12345;
  for (let k = 0; k < FRAMES; k++) {
    const f = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++) {
      const t = (k * FRAME + i) / RATE;
      let v = 0;
      for (let h = 1; h < 16; h++) v += Math.sin(2 * Math.PI * 140 * h * t) / h;
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed / 2 ** 32 - 0.5) * 0.2;
      f[i] = Math.round(5000 * (v + noise) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t)));
    }
    frames.push(f);
  }
  return frames;
}

/** `ours`: the roomtone case a wrapper case is compared with. */
export interface OpusCase {
  name: string;
  samples: number;
  ours?: string;
}

export function addOpusCases(bench: Bench): OpusCase[] {
  const frames = speechFrames();
  const cases: OpusCase[] = [];
  for (const complexity of [5, 9]) {
    const enc = new OpusEncoder({ complexity });
    let k = 0;
    const name = `opus encode 20ms complexity ${complexity}`;
    bench.add(name, () => {
      enc.encode(frames[k]);
      k = (k + 1) % FRAMES;
    });
    cases.push({ name, samples: FRAME });
  }
  const source = new OpusEncoder();
  const packets = frames.map((f) => source.encode(f).slice());
  const dec = new OpusDecoder();
  let j = 0;
  bench.add('opus decode 20ms', () => {
    dec.decode(packets[j]);
    j = (j + 1) % FRAMES;
  });
  cases.push({ name: 'opus decode 20ms', samples: FRAME });

  const wrapped = new opus.OpusEncoder(RATE, 1);
  wrapped.setBitrate(32000);
  wrapped.applyEncoderCTL(OPUS_SET_COMPLEXITY, 5);
  const buffers = frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength));
  const wrappedPackets = packets.map((p) => Buffer.from(p));
  let w = 0;
  bench.add(WRAPPER_ENCODE, () => {
    wrapped.encode(buffers[w]);
    w = (w + 1) % FRAMES;
  });
  bench.add(WRAPPER_DECODE, () => {
    wrapped.decode(wrappedPackets[w]);
    w = (w + 1) % FRAMES;
  });
  cases.push({ name: WRAPPER_ENCODE, samples: FRAME, ours: 'opus encode 20ms complexity 5' }, { name: WRAPPER_DECODE, samples: FRAME, ours: 'opus decode 20ms' });
  return cases;
}
