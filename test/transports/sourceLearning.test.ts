// RTP source learning against real senders: ffmpeg with rtcp-mux sends its first RTCP report
// from its RTCP port (RTP port + 1) just before its first RTP packet, and a stray datagram from
// a third port may arrive first. Neither may take the place of the real sender. With latching,
// a sender whose source port changes mid-call (a NAT rebinding) is learned again.
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import type { Conference } from '../../src/engine/Conference.js';
import { goertzelDb, sleep } from '../helpers/audio.js';
import { expectEachHearsTheOthers, joinFfmpeg, processes, receiverSdp, startReceiver, startSender, THREE_TONES } from '../helpers/ffmpeg.js';
import { buildRtp, OpusTone, RtpPeer, RtpStream } from '../helpers/rtpCraft.js';
import { RtpTestClient } from '../helpers/RtpTestClient.js';
import { requireTool } from '../helpers/tools.js';

const mPort = (sdp: string) => Number(/m=audio (\d+)/.exec(sdp)![1]);
const report: string[] = [];
afterAll(() => console.log(report.join('\n')));

/** A listener that decodes what it hears; it sends RTCP receiver reports only, as a recvonly phone would. */
async function listener(conf: Conference): Promise<RtpTestClient> {
  const client = await RtpTestClient.open({ codec: 'opus', seed: 5 });
  const p = await conf.addParticipant({ sdp: client.offer });
  client.connect(p.sdp!);
  return client;
}

/** Sends a stray datagram to `port` from a new socket on 127.0.0.1 (the declared host, another port). */
async function probe(port: number, datagrams: Uint8Array[]): Promise<void> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  for (const d of datagrams) await new Promise<void>((resolve) => s.send(d, port, '127.0.0.1', () => resolve()));
  s.close();
}

describe('ffmpeg senders with rtcp-mux, after a stray probe', () => {
  const procs = processes();
  let engine: Engine;
  beforeAll(() => requireTool('ffmpeg'));
  afterAll(async () => {
    procs.kill();
    await engine?.close();
  });

  it('each sender is heard (Opus, PCMU, SRTP-Opus) and the strays are counted', async () => {
    engine = new Engine({ workers: 1, logging: 'silent' });
    const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });
    const dir = mkdtempSync(join(tmpdir(), 'roomtone-rtcpmux-'));
    const ear = await listener(conf);
    const joined = [];
    for (const person of THREE_TONES) {
      const j = await joinFfmpeg(conf, person, { rtcpMux: true });
      expect(j.answer).toMatch(/a=rtcp-mux/);
      // Before anything else: junk, and one well-formed RTP packet of the negotiated payload type.
      const pt = person.codec === 'opus' ? 97 : 0;
      await probe(j.ourPort, [Buffer.from('probe: not an RTP packet'), buildRtp({ payloadType: pt, sequenceNumber: 1, timestamp: 1, ssrc: 0xbad }, Buffer.alloc(20))]);
      joined.push(j);
    }
    const recordings = joined.map((j, i) =>
      startReceiver(procs, { sdp: receiverSdp(j.answer, j.recvPort), dir, name: `listener-${i}`, seconds: 6 }),
    );
    for (const j of joined) {
      startSender(procs, { codec: j.codec, freq: j.freq, toPort: j.ourPort, rtcpPort: j.ourPort, fromPort: j.sendPort, seconds: 8, key: j.key });
    }
    const wavs = await Promise.all(recordings);

    // The decoding listener hears all three over its last 3 s.
    const heard = ear.decoded();
    const tail = heard.subarray(Math.max(0, heard.length - 3 * 48000));
    expect(tail.length).toBeGreaterThan(2 * 48000);
    const earLevels = joined.map((j) => goertzelDb(tail, j.freq, 48000));
    report.push(`listener hears ${joined.map((j, k) => `${j.freq}:${earLevels[k].toFixed(1)}`).join(' ')} dBFS`);
    for (const [k, j] of joined.entries()) expect(earLevels[k], `the listener hears ${j.codec}${j.srtp ? '+SRTP' : ''} ${j.freq} Hz`).toBeGreaterThan(-30);

    // Each ffmpeg receiver hears the other two, not itself.
    report.push(...expectEachHearsTheOthers(wavs, joined.map((j) => ({ name: `ffmpeg ${j.codec}${j.srtp ? '+SRTP' : ''}`, freq: j.freq }))));

    for (const j of joined) {
      const stats = (await j.participant.stats())!;
      expect(stats.packetsIn, 'RTP from the real sender').toBeGreaterThan(200);
      expect(stats.latched, 'the learned source is the sender').toBe(`127.0.0.1:${j.sendPort}`);
      expect(stats.rtcp?.reportsReceived ?? 1, 'its RTCP is read').toBeGreaterThan(0);
      expect(stats.drops['foreign-source'] ?? 0, 'no real packet dropped as foreign').toBe(0);
      const strays = Object.entries(stats.drops).filter(([reason]) => reason !== 'late' && reason !== 'duplicate');
      const strayCount = strays.reduce((n, [, c]) => n + (c ?? 0), 0);
      expect(strayCount, `the probe's two datagrams are counted (${JSON.stringify(stats.drops)})`).toBeGreaterThanOrEqual(2);
      report.push(`${j.codec}${j.srtp ? '+SRTP' : ''}: ${stats.packetsIn} packets in, learned ${stats.latched}, drops ${JSON.stringify(stats.drops)}`);
    }
    await ear.close();
  }, 60_000);
});

describe('latching: a sender whose source port changes mid-call', () => {
  let engine: Engine;
  const peers: RtpPeer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) await p.close();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('is learned again at its new port, and heard', async () => {
    engine = new Engine({ workers: 1, logging: 'silent', media: { latching: true } });
    const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });
    const ear = await listener(conf);
    // The phone declares an address it cannot be reached at (behind NAT: here a silent loopback one).
    const first = await RtpPeer.open();
    const second = await RtpPeer.open();
    peers.push(first, second);
    const { makeSdp } = await import('../helpers/rtpCraft.js');
    const p = await conf.addParticipant({ sdp: makeSdp({ port: 40000, address: '127.0.0.99' }) });
    const ours = { address: '127.0.0.1', port: mPort(p.sdp!) };
    const stream = new RtpStream({ ssrc: 0x1234, seq: 1000, ts: 5000, payloadType: 111 });
    const voice = new OpusTone(440);
    const sendFor = async (peer: RtpPeer, ms: number) => {
      const end = performance.now() + ms;
      let next = performance.now();
      while (performance.now() < end) {
        peer.send(stream.next(voice.next(), { tsStep: 960 }), ours);
        next += 20;
        await sleep(Math.max(0, next - performance.now()));
      }
    };
    await sendFor(first, 2000);
    expect((await p.stats())!.latched).toBe(`127.0.0.1:${first.port}`);
    const toFirst = first.rtp.length;
    expect(toFirst, 'media goes back to the learned source').toBeGreaterThan(40);
    // The NAT gives the same stream a new source port: it is the same stream (its SSRC and
    // sequence go on), so it is learned after its few probation packets, not after 2 s of silence.
    const movedAt = performance.now();
    await sendFor(second, 4000);
    const stats = (await p.stats())!;
    expect(stats.latched).toBe(`127.0.0.1:${second.port}`);
    expect(second.rtp.length, 'media follows it to the new port').toBeGreaterThan(40);
    const followedAfter = second.rtp[0].at - movedAt;
    expect(followedAfter, 'media reaches the new port within a few packets').toBeLessThan(500);
    const heard = ear.decoded();
    const lastSecond = heard.subarray(heard.length - 48000);
    const level = goertzelDb(lastSecond, 440, 48000);
    expect(level, 'the listener hears the sender after the change').toBeGreaterThan(-30);
    report.push(`latching: learned ${first.port}, then ${second.port} after the change (media there ${followedAfter.toFixed(0)} ms after it moved); listener hears 440 Hz at ${level.toFixed(1)} dBFS; drops ${JSON.stringify(stats.drops)}`);
    await ear.close();
  }, 30_000);
});
