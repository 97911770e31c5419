import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import type { Conference } from '../../src/engine/Conference.js';
import type { MemoryPort } from '../../src/ports/MemoryPort.js';
import { FrameRing } from '../../src/ports/FrameRing.js';
import { InvalidStateError, NotFoundError } from '../../src/errors.js';
import { goertzelDb, sleep, tone } from '../helpers/audio.js';

const RATE = 16000;
const HEARD = -40; // dBFS: a tone at 8000/32768 reads about -12 dB
const ABSENT = -70;

interface Talker {
  port: MemoryPort;
  freq: number;
}

/** Collects what each port hears over `ms`, after letting `settleMs` of changes take effect. */
async function listen(ports: MemoryPort[], settleMs = 150, ms = 400): Promise<Int16Array[]> {
  await sleep(settleMs);
  for (const p of ports) p.readAll();
  await sleep(ms);
  return ports.map((p) => p.readAll());
}

const levels = (signal: Int16Array, talkers: Talker[]) => talkers.map((t) => goertzelDb(signal, t.freq, RATE));

for (const workers of [0, 1]) {
  describe(`engine with ${workers === 0 ? 'inline media' : 'a media worker'}`, () => {
    let engine: Engine;
    afterEach(async () => engine?.close());

    async function threeTalkers(conf: Conference) {
      const talkers: Talker[] = [440, 660, 880].map((freq) => ({ port: conf.createMemoryPort(), freq }));
      for (const t of talkers) t.port.writeSignal(tone(t.freq, RATE, 25));
      const participants = [];
      for (const t of talkers) participants.push(await conf.addParticipant({ port: t.port, energyLevel: 50 }));
      return { talkers, participants };
    }

    it('gives each participant the others and never itself; mute, relate, coach and deaf take effect', async () => {
      engine = new Engine({ workers });
      const conf = await engine.createConference({ rate: RATE, intervalMs: 10 });
      const { talkers, participants } = await threeTalkers(conf);
      const [a, b, c] = participants;
      const ports = talkers.map((t) => t.port);

      let heard = await listen(ports);
      for (let l = 0; l < 3; l++) {
        const lv = levels(heard[l], talkers);
        for (let s = 0; s < 3; s++) {
          if (s === l) expect(lv[s], `listener ${l} hears itself`).toBeLessThan(ABSENT);
          else expect(lv[s], `listener ${l} hears ${s}`).toBeGreaterThan(HEARD);
        }
      }

      await a.control('mute');
      heard = await listen(ports);
      expect(levels(heard[1], talkers)[0]).toBeLessThan(ABSENT);
      expect(levels(heard[2], talkers)[0]).toBeLessThan(ABSENT);
      await a.control('unmute');

      await a.relate(b, 'nohear');
      heard = await listen(ports);
      expect(levels(heard[0], talkers)[1]).toBeLessThan(ABSENT);
      expect(levels(heard[0], talkers)[2]).toBeGreaterThan(HEARD);
      expect(levels(heard[1], talkers)[0]).toBeGreaterThan(HEARD);
      await a.relate(b, 'clear');

      await c.coach(a);
      heard = await listen(ports);
      expect(levels(heard[0], talkers)[2], 'coachee hears the coach').toBeGreaterThan(HEARD);
      expect(levels(heard[1], talkers)[2], 'others do not').toBeLessThan(ABSENT);
      expect(levels(heard[2], talkers)[0], 'the coach hears everyone').toBeGreaterThan(HEARD);
      await c.coach(null);

      await b.control('deaf');
      heard = await listen(ports);
      expect(Math.max(...levels(heard[1], talkers))).toBeLessThan(ABSENT);
      expect(levels(heard[0], talkers)[1], 'a deaf participant still speaks').toBeGreaterThan(HEARD);
    }, 20_000);

    it('mixes conference injection for all and participant injection for one', async () => {
      engine = new Engine({ workers });
      const conf = await engine.createConference({ rate: RATE, intervalMs: 10 });
      const ports = [conf.createMemoryPort(), conf.createMemoryPort()];
      const [a] = [await conf.addParticipant({ port: ports[0] }), await conf.addParticipant({ port: ports[1] })];
      const all = FrameRing.create(conf.format.samples, 200);
      const one = FrameRing.create(conf.format.samples, 200);
      const s = conf.format.samples;
      const t1 = tone(1000, RATE, 1.5);
      const t2 = tone(1500, RATE, 1.5);
      for (let i = 0; i + s <= t1.length; i += s) {
        all.push(t1.subarray(i, i + s));
        one.push(t2.subarray(i, i + s));
      }
      await conf.inject({ kind: 'ring', ring: all.spec });
      await a.inject({ kind: 'ring', ring: one.spec });
      const heard = await listen(ports, 100, 400);
      expect(goertzelDb(heard[0], 1000, RATE)).toBeGreaterThan(HEARD);
      expect(goertzelDb(heard[1], 1000, RATE)).toBeGreaterThan(HEARD);
      expect(goertzelDb(heard[0], 1500, RATE)).toBeGreaterThan(HEARD);
      expect(goertzelDb(heard[1], 1500, RATE)).toBeLessThan(ABSENT);
    });

    it('reports talking, floor and mute-detect as events', async () => {
      engine = new Engine({ workers });
      const conf = await engine.createConference({ rate: RATE, intervalMs: 10, talk: { hangUnderFrames: 2, hangOverMs: 200 } });
      const quietPort = conf.createMemoryPort();
      const loudPort = conf.createMemoryPort();
      const quiet = await conf.addParticipant({ port: quietPort, muted: true });
      const loud = await conf.addParticipant({ port: loudPort });
      const events: string[] = [];
      conf.on('start-talking', (e) => events.push(`start:${e.participantId}`));
      conf.on('stop-talking', (e) => events.push(`stop:${e.participantId}`));
      conf.on('floor-change', (e) => events.push(`floor:${e.participantId}`));
      conf.on('mute-detect', (e) => events.push(`mute-detect:${e.participantId}`));
      const floor = conf.waitFor('floor-change');
      loudPort.writeSignal(tone(300, RATE, 0.5));
      const [change] = await floor;
      expect(change.participantId).toBe(loud.id);
      const muteDetect = conf.waitFor('mute-detect');
      quietPort.writeSignal(tone(300, RATE, 0.3));
      expect((await muteDetect)[0].participantId).toBe(quiet.id);
      await sleep(700);
      expect(events).toContain(`start:${loud.id}`);
      expect(events).toContain(`stop:${loud.id}`);
      expect(events).toContain(`start:${quiet.id}`);
      expect(events).not.toContain(`floor:${quiet.id}`);
      expect(events.indexOf(`start:${loud.id}`)).toBeLessThan(events.indexOf(`stop:${loud.id}`));
    });

    it('closes idempotently and cascades to participants', async () => {
      engine = new Engine({ workers });
      const conf = await engine.createConference({ rate: RATE, intervalMs: 20 });
      const p = await conf.addParticipant({ port: conf.createMemoryPort() });
      const reasons: string[] = [];
      p.on('close', (r) => reasons.push(r));
      conf.on('close', (r) => reasons.push(`conference:${r}`));
      await conf.close();
      await conf.close();
      expect(reasons).toEqual(['conference-closed', 'conference:closed']);
      await expect(p.control('mute')).rejects.toBeInstanceOf(InvalidStateError);
      await expect(conf.addParticipant({ port: conf.createMemoryPort() })).rejects.toBeInstanceOf(InvalidStateError);
      expect(engine.conferences).toHaveLength(0);
    });

    it('rejects bad input with errors naming the field', async () => {
      engine = new Engine({ workers });
      await expect(engine.createConference({ rate: 44100 })).rejects.toMatchObject({ field: 'rate' });
      await expect(engine.createConference({ topK: 0 })).rejects.toMatchObject({ field: 'topK' });
      const conf = await engine.createConference({ rate: RATE, intervalMs: 20 });
      const p = await conf.addParticipant({ port: conf.createMemoryPort() });
      await expect(p.update({ inputGainDb: 99 })).rejects.toMatchObject({ field: 'inputGainDb' });
      await expect(p.relate(999, 'nohear')).rejects.toBeInstanceOf(NotFoundError);
      await expect(p.relate(p, 'nohear')).rejects.toMatchObject({ field: 'other_participant' });
      const wrongSize = new (await import('../../src/ports/MemoryPort.js')).MemoryPort({ samples: 160 });
      await expect(conf.addParticipant({ port: wrongSize })).rejects.toMatchObject({ field: 'port' });
    });
  });
}
