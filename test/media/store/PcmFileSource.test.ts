import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/Engine.js';
import { NotFoundError } from '../../../src/errors.js';
import { PcmFileSource } from '../../../src/media/PcmFileSource.js';
import { FrameFormat } from '../../../src/mixing/FrameFormat.js';
import { openSource } from '../../../src/ports/specs.js';
import { goertzelDb, sleep, tone } from '../../helpers/audio.js';
import { expectInvalidArgument } from '../../helpers/errors.js';

const AMP = 8000;
const AMP_DB = 20 * Math.log10(AMP / 32768);
let dir: string;
const pcmFile = (name: string, samples: Int16Array) => {
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roomtone-pcm-source-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads frames until the source ends (or `max` frames), as one array and a frame count. */
function drain(src: PcmFileSource, frameSamples: number, max = 10_000): { samples: Int16Array; frames: number } {
  const frame = new Int16Array(frameSamples);
  const out = new Int16Array(frameSamples * max);
  let frames = 0;
  while (frames < max && src.readFrame(frame)) out.set(frame, frames++ * frameSamples);
  return { samples: out.subarray(0, frames * frameSamples), frames };
}

describe('PcmFileSource', () => {
  it.each([8000, 16000, 24000, 48000])('plays 1 s of a 1 kHz tone at %i Hz in 20 ms frames, in time, then ends', (rate) => {
    const path = pcmFile(`tone-${rate}.pcm`, tone(1000, 48000, 1, AMP));
    const src = openSource({ kind: 'file', path }, new FrameFormat(rate, 20)) as PcmFileSource;
    expect(src).toBeInstanceOf(PcmFileSource);
    expect(src.length).toBe(rate);
    const { samples, frames } = drain(src, rate / 50);
    expect(frames).toBe(50);
    expect(src.done).toBe(true);
    expect(src.readFrame(new Int16Array(rate / 50))).toBe(false);
    expect(goertzelDb(samples.subarray(rate / 10, rate - rate / 10), 1000, rate)).toBeCloseTo(AMP_DB, 1);
    // On the tone's own timeline: the resampler's delay was taken out, to within half a
    // 48 kHz sample (10.4 us), found from the tone's phase.
    let sin = 0;
    let cos = 0;
    for (let i = rate / 10; i < rate - rate / 10; i++) {
      sin += samples[i] * Math.sin((2 * Math.PI * 1000 * i) / rate);
      cos += samples[i] * Math.cos((2 * Math.PI * 1000 * i) / rate);
    }
    const delaySeconds = Math.atan2(-cos, sin) / (2 * Math.PI * 1000);
    expect(Math.abs(delaySeconds)).toBeLessThan(12e-6); // 24 kHz is 10.4 us early: its delay is 30.5 input samples
    if (rate === 48000) expect(samples).toEqual(tone(1000, 48000, 1, AMP));
  });

  it('pads the last partial frame with silence', () => {
    const path = pcmFile('short.pcm', new Int16Array(1000).fill(1234));
    const src = new PcmFileSource({ kind: 'file', path }, 48000);
    const frame = new Int16Array(960).fill(-1);
    expect(src.readFrame(frame)).toBe(true);
    expect(src.done).toBe(false);
    expect(src.readFrame(frame)).toBe(true);
    expect(Array.from(frame.subarray(38, 42))).toEqual([1234, 1234, 0, 0]);
    expect(src.done).toBe(true);
  });

  it('loops seamlessly and is never done until closed', () => {
    const path = pcmFile('loop.pcm', tone(500, 48000, 0.1, AMP)); // 50 whole cycles in 100 ms
    const src = new PcmFileSource({ kind: 'file', path, loop: true }, 16000);
    const { samples, frames } = drain(src, 320, 40); // 800 ms: the file eight times over
    expect(frames).toBe(40);
    expect(src.done).toBe(false);
    for (let i = 0; i < samples.length - 1600; i += 97) expect(samples[i + 1600]).toBe(samples[i]);
    expect(goertzelDb(samples, 500, 16000)).toBeCloseTo(AMP_DB, 0);
    src.close();
    expect(src.done).toBe(true);
    expect(src.readFrame(new Int16Array(320))).toBe(false);
  });

  it('refuses a missing file and bad specs; an empty file is done at once', () => {
    expect(() => new PcmFileSource({ kind: 'file', path: join(dir, 'nope.pcm') }, 16000)).toThrow(NotFoundError);
    expectInvalidArgument(() => new PcmFileSource({ kind: 'file', path: '' }, 16000), 'path');
    expectInvalidArgument(() => new PcmFileSource({ kind: 'file', path: 'x', loop: 1 as unknown as boolean }, 16000), 'loop');
    const empty = new PcmFileSource({ kind: 'file', path: pcmFile('empty.pcm', new Int16Array(0)), loop: true }, 16000);
    expect(empty.done).toBe(true);
    expect(empty.readFrame(new Int16Array(320))).toBe(false);
  });

  it('keeps playing what it opened when the file is replaced, and a new source reads the new file', () => {
    const path = pcmFile('replaced.pcm', new Int16Array(960).fill(5));
    const a = new PcmFileSource({ kind: 'file', path }, 16000);
    const b = new PcmFileSource({ kind: 'file', path }, 16000);
    pcmFile('replaced.pcm.new', new Int16Array(1920).fill(-7));
    renameSync(`${path}.new`, path); // as MediaStore replaces an upload
    const c = new PcmFileSource({ kind: 'file', path }, 16000);
    expect([a.length, b.length, c.length]).toEqual([320, 320, 640]);
    const frame = new Int16Array(320);
    for (const [src, v] of [[a, 5], [b, 5], [c, -7]] as const) {
      src.readFrame(frame);
      expect(frame[160]).toBe(v);
    }
  });

  it('reads frames without allocating', () => {
    const src = new PcmFileSource({ kind: 'file', path: pcmFile('alloc.pcm', tone(1000, 48000, 1, AMP)), loop: true }, 16000);
    const frame = new Int16Array(320);
    for (let i = 0; i < 20_000; i++) src.readFrame(frame); // warm up (JIT)
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100_000; i++) src.readFrame(frame);
    // Any object per call would be at least 16 bytes x 100,000 = 1.6 MB (unless a GC hid it).
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(512 * 1024);
  });

  it('is heard in a conference when injected as a file source', async () => {
    const path = pcmFile('conf.pcm', tone(700, 48000, 2, AMP));
    const engine = new Engine({ workers: 0, logging: 'silent' });
    try {
      const conf = await engine.createConference({ rate: 16000, intervalMs: 20 });
      const port = conf.createMemoryPort();
      await conf.addParticipant({ port });
      await conf.inject({ kind: 'file', path });
      await sleep(100);
      port.readAll();
      await sleep(400);
      expect(goertzelDb(port.readAll(), 700, 16000)).toBeGreaterThan(-20);
    } finally {
      await engine.close();
    }
  });
});
