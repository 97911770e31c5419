import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { goertzelDb, sleep, tone } from '../helpers/audio.js';
import { openBrowser, type BrowserSession } from '../helpers/browser.js';
import { ffmpegOffer, freePortPair, processes, receiverSdp, startReceiver, startSender } from '../helpers/ffmpeg.js';
import { requireTool } from '../helpers/tools.js';
import { readWav, wavBytes } from '../helpers/wav.js';

const BROWSER_TONE = 880;
const FFMPEG_TONE = 440;

describe('a WebRTC browser participant', () => {
  const procs = processes();
  let engine: Engine;
  let browser: BrowserSession | undefined;
  beforeAll(() => {
    requireTool('chromium');
    requireTool('ffmpeg');
  });
  afterAll(async () => {
    procs.kill();
    await browser?.close();
    await engine?.close();
  });

  it('hears an ffmpeg participant, and is heard by it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomtone-webrtc-'));
    const fake = join(dir, 'browser-tone.wav');
    writeFileSync(fake, wavBytes(tone(BROWSER_TONE, 48000, 20, 8000), 48000));
    engine = new Engine({ workers: 1, logging: 'silent' });
    const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });

    browser = await openBrowser(fake);
    const offer: string = await browser.page.evaluate(() => (globalThis as any).rt.offer());
    expect(offer).toMatch(/UDP\/TLS\/RTP\/SAVPF/);
    const web = await conf.addParticipant({ sdp: offer });
    await browser.page.evaluate((sdp) => (globalThis as any).rt.answer(sdp), web.sdp!);

    const recvPort = await freePortPair();
    const sendPort = await freePortPair();
    const sip = await conf.addParticipant({ sdp: ffmpegOffer('opus', recvPort) });
    const recording = startReceiver(procs, { sdp: receiverSdp(sip.sdp!, recvPort), dir, name: 'ffmpeg-listener', seconds: 7 });
    startSender(procs, { codec: 'opus', freq: FFMPEG_TONE, toPort: Number(/m=audio (\d+)/.exec(sip.sdp!)![1]), fromPort: sendPort, seconds: 9 });

    await sleep(3000);
    const [ffmpegLevel, ownLevel] = (await browser.page.evaluate(
      ([f]) => (globalThis as any).rt.levels(f, 2000),
      [[FFMPEG_TONE, BROWSER_TONE]] as const,
    )) as number[];
    const inbound = await browser.page.evaluate(() => (globalThis as any).rt.inboundStats());
    const webStats = await web.stats();
    const { rate, samples } = readWav(await recording);
    const tail = samples.subarray(samples.length - rate * 3);
    const heardByFfmpeg = goertzelDb(tail, BROWSER_TONE, rate);
    const ffmpegOwn = goertzelDb(tail, FFMPEG_TONE, rate);
    console.log(
      `browser analyser: ${FFMPEG_TONE} Hz ${ffmpegLevel.toFixed(1)} dB, own ${BROWSER_TONE} Hz ${ownLevel.toFixed(1)} dB; ` +
        `browser getStats inbound ${JSON.stringify(inbound)}; roomtone from browser: ${webStats!.packetsIn} packets (${webStats!.codec}, RFC 6464 level -${webStats!.audioLevel} dBov); ` +
        `ffmpeg hears browser ${heardByFfmpeg.toFixed(1)} dBFS, own ${ffmpegOwn.toFixed(1)} dBFS`,
    );
    expect(inbound.packetsReceived).toBeGreaterThan(100);
    expect(inbound.totalAudioEnergy).toBeGreaterThan(0);
    expect(ffmpegLevel - ownLevel, 'the browser hears the ffmpeg tone, not its own').toBeGreaterThan(20);
    expect(webStats!.packetsIn).toBeGreaterThan(100);
    // Chrome sends RFC 6464 audio levels; a -12 dBFS tone reads about 12-20 -dBov.
    expect(webStats!.audioLevel).not.toBeNull();
    expect(webStats!.audioLevel!).toBeLessThan(40);
    expect(heardByFfmpeg, 'the ffmpeg participant hears the browser').toBeGreaterThan(-40);
    expect(heardByFfmpeg - ffmpegOwn).toBeGreaterThan(20);
  }, 60_000);
});
