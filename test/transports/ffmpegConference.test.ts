import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { goertzelDb } from '../helpers/audio.js';
import { ffmpegOffer, freePortPair, processes, receiverSdp, srtpKey, startReceiver, startSender, type FfmpegCodec } from '../helpers/ffmpeg.js';
import { requireTool } from '../helpers/tools.js';
import { readWav } from '../helpers/wav.js';

const mPort = (sdp: string) => Number(/m=audio (\d+)/.exec(sdp)![1]);

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
    const people: { freq: number; codec: FfmpegCodec; srtp: boolean }[] = [
      { freq: 440, codec: 'opus', srtp: false },
      { freq: 660, codec: 'PCMU', srtp: false },
      { freq: 880, codec: 'opus', srtp: true },
    ];
    const joined = [];
    for (const person of people) {
      const recvPort = await freePortPair();
      const sendPort = await freePortPair();
      const key = person.srtp ? srtpKey() : undefined;
      const participant = await conf.addParticipant({ sdp: ffmpegOffer(person.codec, recvPort, key) });
      expect(participant.sdp).toMatch(/^v=0/);
      if (person.srtp) expect(participant.sdp).toMatch(/a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/);
      joined.push({ ...person, participant, recvPort, sendPort, key, answer: participant.sdp! });
    }
    const recordings = joined.map((j, i) =>
      startReceiver(procs, { sdp: receiverSdp(j.answer, j.recvPort), dir, name: `listener-${i}`, seconds: 6 }),
    );
    for (const j of joined) {
      startSender(procs, { codec: j.codec, freq: j.freq, toPort: mPort(j.answer), fromPort: j.sendPort, seconds: 8, key: j.key });
    }
    const wavs = await Promise.all(recordings);

    const report: string[] = [];
    for (const [i, j] of joined.entries()) {
      const { rate, samples } = readWav(wavs[i]);
      const tail = samples.subarray(samples.length - rate * 3); // the last 3 s: every sender is running
      const levels = joined.map((o) => goertzelDb(tail, o.freq, rate));
      const own = levels[i];
      const others = levels.filter((_, k) => k !== i);
      report.push(`${j.codec}${j.srtp ? '+SRTP' : ''} ${j.freq} Hz hears ${joined.map((o, k) => `${o.freq}:${levels[k].toFixed(1)}`).join(' ')} dBFS`);
      for (const other of others) expect(other, `listener ${i} hears the others`).toBeGreaterThan(-30);
      expect(Math.min(...others) - own, `listener ${i}: own tone at least 20 dB below the others`).toBeGreaterThanOrEqual(20);
    }
    console.log(report.join('\n'));
    for (const j of joined) {
      const stats = await j.participant.stats();
      expect(stats!.packetsIn).toBeGreaterThan(200);
      expect(stats!.drops['srtp-auth'] ?? 0).toBe(0);
    }
  }, 60_000);
});
