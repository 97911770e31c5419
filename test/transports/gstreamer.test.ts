import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { expectEachHearsTheOthers, freePortPair, joinFfmpeg, processes, receiverSdp, startReceiver, startSender, type FfmpegPerson } from '../helpers/ffmpeg.js';
import { answerSrtpParams, gstreamerOffer, gstSrtpKey, startGstReceiver, startGstSender } from '../helpers/gstreamer.js';
import { requireTool } from '../helpers/tools.js';
import { readWav } from '../helpers/wav.js';

const mPort = (sdp: string) => Number(/m=audio (\d+)/.exec(sdp)![1]);

const RECORD_SECONDS = 6;
const SEND_SECONDS = 8;

describe('a GStreamer SRTP participant with two ffmpeg participants', () => {
  const procs = processes();
  let engine: Engine;
  beforeAll(() => {
    requireTool('gstreamer');
    requireTool('ffmpeg');
  });
  afterAll(async () => {
    procs.kill();
    await engine?.close();
  });

  it('each hears the other two tones and not its own (GStreamer SRTP-Opus, ffmpeg Opus, ffmpeg SRTP-PCMU)', async () => {
    engine = new Engine({ workers: 1, logging: 'silent' });
    const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });
    const dir = mkdtempSync(join(tmpdir(), 'roomtone-gstreamer-'));

    // GStreamer: SRTP Opus, its key in an RTP/SAVP offer, its SSRC declared.
    const gst = { freq: 523, recvPort: await freePortPair(), sendPort: await freePortPair(), key: gstSrtpKey(), ssrc: 0x5eed0523 };
    const gstParticipant = await conf.addParticipant({ sdp: gstreamerOffer(gst.recvPort, gst.key, gst.ssrc) });
    const gstAnswer = gstParticipant.sdp!;
    expect(gstAnswer).toMatch(/^m=audio \d+ RTP\/SAVP 96\r?$/m);
    expect(gstAnswer).toMatch(/^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/m);
    const ours = answerSrtpParams(gstAnswer); // roomtone's key and SSRC, for srtpdec's caps
    expect(ours.key.hex).not.toBe(gst.key.hex);

    // ffmpeg: one plain Opus, one SDES-SRTP PCMU.
    const ffmpegPeople: FfmpegPerson[] = [
      { freq: 440, codec: 'opus', srtp: false },
      { freq: 660, codec: 'PCMU', srtp: true },
    ];
    const ff = [];
    for (const person of ffmpegPeople) ff.push(await joinFfmpeg(conf, person));

    const recordings = [
      startGstReceiver(procs, { port: gst.recvPort, ssrc: ours.ssrc, key: ours.key, dir, name: 'listener-gst', seconds: RECORD_SECONDS }),
      ...ff.map((j, i) => startReceiver(procs, { sdp: receiverSdp(j.answer, j.recvPort), dir, name: `listener-ffmpeg-${i}`, seconds: RECORD_SECONDS })),
    ];
    startGstSender(procs, { freq: gst.freq, toPort: mPort(gstAnswer), fromPort: gst.sendPort, seconds: SEND_SECONDS, key: gst.key, ssrc: gst.ssrc });
    for (const j of ff) {
      startSender(procs, { codec: j.codec, freq: j.freq, toPort: j.ourPort, fromPort: j.sendPort, seconds: SEND_SECONDS, key: j.key });
    }
    const wavs = await Promise.all(recordings);

    const listeners = [
      { name: 'GStreamer SRTP-Opus', freq: gst.freq, participant: gstParticipant },
      ...ff.map((j) => ({ name: `ffmpeg ${j.srtp ? 'SRTP-' : ''}${j.codec}`, freq: j.freq, participant: j.participant })),
    ];
    const report = expectEachHearsTheOthers(wavs, listeners);
    for (const [i, l] of listeners.entries()) {
      const { rate, samples } = readWav(wavs[i]);
      expect(samples.length, `${l.name} recorded ${RECORD_SECONDS - 1}+ s`).toBeGreaterThan(rate * (RECORD_SECONDS - 1));
    }
    for (const l of listeners) {
      const stats = await l.participant.stats();
      const drops = Object.entries(stats!.drops).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
      report.push(`${l.name}: ${stats!.packetsIn} packets in, ${stats!.outbound.packets} out, drops ${drops}`);
      expect(stats!.packetsIn, `${l.name} packets in`).toBeGreaterThan(200);
      expect(stats!.drops['srtp-auth'] ?? 0, `${l.name} SRTP auth failures`).toBe(0);
    }
    console.log(report.join('\n'));
  }, 60_000);
});
