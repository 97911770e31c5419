// Is a recording speech? Spectra of 30 ms windows: speech has most of its energy in the voice
// band and a spectrum that moves (a tone's stands still). At 48 kHz.
// Hann windows of 30 ms, 15 ms apart, zero-padded to 2048 points.
const RATE = 48000;

const WIN = 1440;
const HOP = 720;
const FFT = 2048;

function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const a = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const c = Math.cos(a * k);
        const s = Math.sin(a * k);
        const h = i + k + len / 2;
        const tr = re[h] * c - im[h] * s;
        const ti = re[h] * s + im[h] * c;
        re[h] = re[i + k] - tr;
        im[h] = im[i + k] - ti;
        re[i + k] += tr;
        im[i + k] += ti;
      }
    }
  }
}

export interface SpeechMeasure {
  /** Share of the energy between 200 and 4000 Hz. */
  band: number;
  /** How many different dominant frequencies (50 Hz steps) the voiced windows have. */
  dominants: number;
  /** Mean spectral flatness over 100-8000 Hz (geometric over arithmetic mean; a pure tone is ~0). */
  flatness: number;
}

/** Over the windows within 30 dB of the loudest (the silence between words says nothing). */
export function measureSpeech(pcm: Int16Array): SpeechMeasure {
  const hz = (k: number) => (k * RATE) / FFT;
  const windows: { energy: number; power: Float64Array }[] = [];
  for (let at = 0; at + WIN <= pcm.length; at += HOP) {
    const re = new Float64Array(FFT);
    const im = new Float64Array(FFT);
    let energy = 0;
    for (let i = 0; i < WIN; i++) {
      const v = pcm[at + i] / 32768;
      energy += v * v;
      re[i] = v * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (WIN - 1)));
    }
    fft(re, im);
    const power = new Float64Array(FFT / 2);
    for (let k = 0; k < FFT / 2; k++) power[k] = re[k] ** 2 + im[k] ** 2;
    windows.push({ energy, power });
  }
  const loudest = Math.max(...windows.map((w) => w.energy));
  const voiced = windows.filter((w) => w.energy > loudest / 1000);
  let inBand = 0;
  let all = 0;
  let flatness = 0;
  const dominants = new Set<number>();
  for (const { power } of voiced) {
    let best = 1;
    let logSum = 0;
    let sum = 0;
    let count = 0;
    for (let k = 1; k < FFT / 2; k++) {
      all += power[k];
      if (hz(k) >= 200 && hz(k) <= 4000) inBand += power[k];
      if (power[k] > power[best]) best = k;
      if (hz(k) >= 100 && hz(k) <= 8000) {
        logSum += Math.log(power[k] + 1e-20);
        sum += power[k];
        count++;
      }
    }
    dominants.add(Math.round(hz(best) / 50));
    flatness += Math.exp(logSum / count) / (sum / count);
  }
  return { band: inBand / all, dominants: dominants.size, flatness: flatness / voiced.length };
}

/** Speech: mostly in the voice band, and a spectrum that moves (a tone's stands still). */
export function looksLikeSpeech(pcm: Int16Array): boolean {
  const m = measureSpeech(pcm);
  return m.band > 0.6 && m.dominants >= 3 && m.flatness > 1e-4;
}

