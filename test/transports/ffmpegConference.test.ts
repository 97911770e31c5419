import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { expectEachHearsTheOthers, joinFfmpeg, processes, receiverSdp, startReceiver, startSender, THREE_TONES } from '../helpers/ffmpeg.js';
import { requireTool } from '../helpers/tools.js';

describe('three ffmpeg participants in one conference', () => {
  const procs = processes();
  let engine: Engine;
  beforeAll(() => requireTool('ffmpeg'));
  afterAll(async () => {
    procs.kill();
    await engine?.close();
  });

  it('each hears the other two tones and not its own (Opus, PCMU, SRTP-Opus)', async () => {
    engine = new Engine({ workers: 1, logging: 'silent' });
    const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });
    const dir = mkdtempSync(join(tmpdir(), 'roomtone-ffmpeg-'));
    const joined = [];
    for (const person of THREE_TONES) {
      const j = await joinFfmpeg(conf, person);
      expect(j.answer).toMatch(/^v=0/);
      if (person.srtp) expect(j.answer).toMatch(/a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/);
      joined.push(j);
    }
    const recordings = joined.map((j, i) =>
      startReceiver(procs, { sdp: receiverSdp(j.answer, j.recvPort), dir, name: `listener-${i}`, seconds: 6 }),
    );
    for (const j of joined) {
      startSender(procs, { codec: j.codec, freq: j.freq, toPort: j.ourPort, fromPort: j.sendPort, seconds: 8, key: j.key });
    }
    const wavs = await Promise.all(recordings);
    const report = expectEachHearsTheOthers(wavs, joined.map((j) => ({ name: `${j.codec}${j.srtp ? '+SRTP' : ''}`, freq: j.freq })));
    console.log(report.join('\n'));
    for (const j of joined) {
      const stats = await j.participant.stats();
      expect(stats!.packetsIn).toBeGreaterThan(200);
      expect(stats!.drops['srtp-auth'] ?? 0).toBe(0);
    }
  }, 60_000);
});
