import { InvalidArgumentError } from '../errors.js';

export interface ToneSegment {
  onMs: number;
  offMs: number;
  freqs: number[];
}

export interface ToneProgram {
  segments: ToneSegment[];
  /** Times to play the segments; -1 repeats until stopped. */
  loops: number;
}

const MAX_SEGMENTS = 64;

/**
 * Parses FreeSWITCH's tone_stream syntax: `tone_stream://%(on_ms,off_ms,freq1[,freq2...])`
 * segments separated by `;`, with `loops=N` (or `L=N`, -1 for ever).
 */
export function parseToneStream(text: string): ToneProgram {
  const bad = (why: string) => new InvalidArgumentError('media_id', `is not a valid tone_stream: ${why}`);
  if (!text.startsWith('tone_stream://')) throw bad('it must start with tone_stream://');
  if (text.length > 2048) throw bad('it is longer than 2048 characters');
  const segments: ToneSegment[] = [];
  let loops = 1;
  for (const part of text.slice('tone_stream://'.length).split(';').map((p) => p.trim()).filter(Boolean)) {
    const loop = /^(?:loops|L)=(-?\d+)$/.exec(part);
    if (loop) {
      loops = Number(loop[1]);
      if (loops < -1 || loops === 0 || loops > 1000) throw bad('loops must be -1 or 1 to 1000');
      continue;
    }
    const seg = /^%\(([\d,.\s]+)\)$/.exec(part);
    if (!seg) throw bad(`cannot read "${part}"`);
    const [onMs, offMs, ...freqs] = seg[1].split(',').map((x) => Number(x.trim()));
    if (![onMs, offMs, ...freqs].every(Number.isFinite) || onMs < 0 || offMs < 0 || onMs + offMs > 60_000) throw bad(`bad timing in "${part}"`);
    if (freqs.length > 4 || freqs.some((f) => f < 0 || f > 20_000)) throw bad(`at most 4 frequencies of 0 to 20000 Hz in "${part}"`);
    segments.push({ onMs, offMs, freqs });
    if (segments.length > MAX_SEGMENTS) throw bad(`more than ${MAX_SEGMENTS} segments`);
  }
  if (segments.length === 0) throw bad('it has no %(on,off,freq) segment');
  return { segments, loops };
}
