// Signal helpers for media tests: tones in, tone levels out.

export function tone(freq: number, rate: number, seconds: number, amplitude = 8000): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/**
 * Level of one frequency in dBFS (a full-scale sine reads 0 dB), by the Goertzel algorithm over
 * a Hann window: without the window, a loud tone 200 Hz away leaks in at about -50 dB whenever
 * the capture is not a whole number of its cycles.
 */
export function goertzelDb(signal: Int16Array, freq: number, rate: number): number {
  const n = signal.length;
  if (n === 0) return -Infinity;
  const w = (2 * Math.PI * freq) / rate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1 || 1));
    const s0 = (hann * signal[i]) / 32768 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  const amplitude = (4 * Math.sqrt(Math.max(power, 0))) / n; // x2 for Hann's coherent gain of 0.5
  return 20 * Math.log10(amplitude + 1e-12);
}

export function rmsDb(signal: Int16Array): number {
  let sum = 0;
  for (const v of signal) sum += (v / 32768) ** 2;
  return 10 * Math.log10(sum / Math.max(1, signal.length) + 1e-24);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
