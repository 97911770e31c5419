import { describe, expect, it } from 'vitest';
import { ToneSource } from '../../src/media/ToneSource.js';
import { parseToneStream } from '../../src/media/toneStream.js';
import { Engine } from '../../src/engine/Engine.js';
import { goertzelDb, sleep } from '../helpers/audio.js';
import { expectInvalidArgument } from '../helpers/errors.js';

const RATE = 16000;

function render(tone: string, ms: number): { samples: Int16Array; frames: number } {
  const src = new ToneSource({ kind: 'tone', tone }, RATE);
  const frame = new Int16Array(RATE / 50);
  const out: number[] = [];
  let frames = 0;
  while (out.length < (ms * RATE) / 1000 && src.readFrame(frame)) {
    out.push(...frame);
    frames++;
  }
  return { samples: Int16Array.from(out), frames };
}

describe('tone_stream', () => {
  it('parses segments and loops, and names the field of a bad one', () => {
    expect(parseToneStream('tone_stream://%(200,100,440,480);%(100,0,1000);loops=3')).toEqual({
      segments: [
        { onMs: 200, offMs: 100, freqs: [440, 480] },
        { onMs: 100, offMs: 0, freqs: [1000] },
      ],
      loops: 3,
    });
    expect(parseToneStream('tone_stream://L=-1;%(500,500,350)').loops).toBe(-1);
    for (const bad of ['beep', 'tone_stream://', 'tone_stream://%(a,b,c)', 'tone_stream://%(100,0,1,2,3,4,5)', 'tone_stream://%(100,0,440);loops=0']) {
      expectInvalidArgument(() => parseToneStream(bad), 'media_id');
    }
  });

  it('plays the tone for on_ms, is silent for off_ms, and ends after its loops', () => {
    const { samples, frames } = render('tone_stream://%(100,100,1000);loops=2', 2000);
    expect(frames).toBe(20); // 2 x 200 ms in 20 ms frames
    const ms = (a: number, b: number) => samples.subarray((a * RATE) / 1000, (b * RATE) / 1000);
    expect(goertzelDb(ms(10, 90), 1000, RATE)).toBeGreaterThan(-15);
    expect(goertzelDb(ms(110, 190), 1000, RATE)).toBeLessThan(-90);
    expect(goertzelDb(ms(210, 290), 1000, RATE)).toBeGreaterThan(-15);
  });

  it('is heard by every listener when played to the conference, and by one when played to a participant', async () => {
    const engine = new Engine({ workers: 0, logging: 'silent' });
    try {
      const conf = await engine.createConference({ rate: RATE, intervalMs: 20 });
      const ports = [conf.createMemoryPort(), conf.createMemoryPort()];
      const [a] = [await conf.addParticipant({ port: ports[0] }), await conf.addParticipant({ port: ports[1] })];
      await conf.inject({ kind: 'tone', tone: 'tone_stream://%(2000,0,700)' });
      await a.inject({ kind: 'tone', tone: 'tone_stream://%(2000,0,1300)' });
      await sleep(100);
      for (const p of ports) p.readAll();
      await sleep(400);
      const [heardA, heardB] = ports.map((p) => p.readAll());
      expect(goertzelDb(heardA, 700, RATE)).toBeGreaterThan(-20);
      expect(goertzelDb(heardB, 700, RATE)).toBeGreaterThan(-20);
      expect(goertzelDb(heardA, 1300, RATE)).toBeGreaterThan(-20);
      expect(goertzelDb(heardB, 1300, RATE)).toBeLessThan(-70);
    } finally {
      await engine.close();
    }
  });
});
