import type { Bench } from 'tinybench';
import { decodeUlaw, encodeAlaw, encodeUlaw } from '../src/codecs/g711.js';
import { Resampler } from '../src/codecs/Resampler.js';
import { talkerFrame } from './scenes.js';

/** G.711 over a 20 ms 8 kHz frame, and the resampler over one 20 ms frame per direction. */
export function addCodecCases(bench: Bench): { name: string; samples: number }[] {
  const cases: { name: string; samples: number }[] = [];
  const pcm = talkerFrame(0, 160);
  const payload = new Uint8Array(160);
  const back = new Int16Array(160);
  bench.add('g711 ulaw encode 160', () => encodeUlaw(pcm, payload));
  bench.add('g711 ulaw decode 160', () => decodeUlaw(payload, back));
  bench.add('g711 alaw encode 160', () => encodeAlaw(pcm, payload));
  cases.push(...['g711 ulaw encode 160', 'g711 ulaw decode 160', 'g711 alaw encode 160'].map((name) => ({ name, samples: 160 })));
  for (const [from, to] of [
    [8000, 48000],
    [48000, 8000],
    [16000, 48000],
    [48000, 16000],
  ]) {
    const r = new Resampler(from, to, from / 50);
    const input = talkerFrame(0, from / 50);
    const output = new Int16Array(to / 50);
    const name = `resample ${from / 1000}k->${to / 1000}k 20ms`;
    bench.add(name, () => r.process(input, output));
    cases.push({ name, samples: from / 50 });
  }
  return cases;
}
