import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { goertzelDb, sleep, tone } from '../helpers/audio.js';
import { readWav } from '../helpers/wav.js';

describe('recording the conference', () => {
  it('writes the mix to a WAV through a queue: a talker, then a tone played to the conference', async () => {
    const engine = new Engine({ workers: 1, logging: 'silent' });
    try {
      const conf = await engine.createConference({ rate: 16000, intervalMs: 20, energyLevel: 50 });
      const talker = conf.createMemoryPort();
      talker.writeSignal(tone(500, 16000, 1));
      await conf.addParticipant({ port: talker });
      const path = join(mkdtempSync(join(tmpdir(), 'roomtone-rec-')), 'nested', 'mix.wav');
      const recorder = await conf.addParticipant({ port: { kind: 'record', path } });
      await sleep(1200);
      await conf.inject({ kind: 'tone', tone: 'tone_stream://%(800,0,1200)' });
      await sleep(900);
      await recorder.kick('removed');
      await sleep(200);
      expect(existsSync(path)).toBe(true);
      const { rate, samples } = readWav(path);
      expect(rate).toBe(16000);
      const seconds = samples.length / rate;
      expect(seconds).toBeGreaterThan(1.6);
      expect(seconds).toBeLessThan(2.6);
      const at = (a: number, b: number) => samples.subarray(Math.round(a * rate), Math.round(b * rate));
      // The talker said 1 s of 500 Hz from the start; the tone came after 1.2 s.
      expect(goertzelDb(at(0.2, 0.8), 500, rate)).toBeGreaterThan(-20);
      expect(goertzelDb(at(0.2, 0.8), 1200, rate)).toBeLessThan(-60);
      expect(goertzelDb(at(1.35, 1.8), 1200, rate)).toBeGreaterThan(-20);
      expect(goertzelDb(at(1.35, 1.8), 500, rate)).toBeLessThan(-60);
    } finally {
      await engine.close();
    }
  });
});
