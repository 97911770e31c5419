// Opus over one 20 ms 48 kHz mono frame of speech-like audio: encode at complexity 5 and 9 (the
// roomtone voice settings otherwise), and decode. Inputs are 1 s of distinct frames, cycled, so
// the codec sees a moving signal rather than one frame repeated.
import type { Bench } from 'tinybench';
import { OpusDecoder } from '../src/codecs/OpusDecoder.js';
import { OpusEncoder } from '../src/codecs/OpusEncoder.js';

const RATE = 48000;
const FRAME = 960;
const FRAMES = 50;

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

export function addOpusCases(bench: Bench): { name: string; samples: number }[] {
  const frames = speechFrames();
  const cases: { name: string; samples: number }[] = [];
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
  return cases;
}
