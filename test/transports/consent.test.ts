// Consent and timeouts over real UDP on loopback: media goes only to a peer that shows itself,
// nobody can use the server as a reflector or an amplifier, and every stream times out.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import type { Participant } from '../../src/engine/Participant.js';
import { writeReceiverReport } from '../../src/rtp/rtcp.js';
import { sleep } from '../helpers/audio.js';
import { OpusTone, type RtpPeer } from '../helpers/rtpCraft.js';
import { cleanup, joinRtp, newStream, pace, report, room, waitFor } from '../helpers/rtpRoom.js';

const EARLY_MS = 1000;
const CONSENT_MS = 1500;
const MEDIA_TIMEOUT_MS = 4000;
const HOLD_TIMEOUT_MS = 5000;
/** Scheduling slack on a shared machine: a packet may leave this long after its deadline. */
const SLACK_MS = 300;

afterEach(cleanup);
afterAll(() => console.log(report.join('\n')));

function receiverReport(ssrc: number): Uint8Array {
  const rr = new Uint8Array(8);
  writeReceiverReport(rr, 0, { ssrc, reports: [] });
  return rr;
}

/** Datagrams (RTP and RTCP) a peer received after `sinceMs` (performance.now). */
const receivedAfter = (peer: RtpPeer, sinceMs: number) => [...peer.rtp, ...peer.rtcp].filter((r) => r.at > sinceMs);
const bytes = (rs: { data: Uint8Array }[]) => rs.reduce((n, r) => n + r.data.length, 0);

describe('consent before sending, and timeouts for every stream', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({
      workers: 1,
      logging: 'silent',
      media: { consentEarlyMs: EARLY_MS, consentMs: CONSENT_MS, mediaTimeoutMs: MEDIA_TIMEOUT_MS, holdTimeoutMs: HOLD_TIMEOUT_MS, rtcpIntervalMs: 500 },
    });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('a silent recvonly, inactive or sendonly peer gets the early window, then nothing, and leaves at its timeout', async () => {
    const { conf } = await room(engine);
    const peers: { direction: 'recvonly' | 'inactive' | 'sendonly'; peer: RtpPeer; p: Participant; joinedAt: number; left: Promise<{ reason: string; at: number }> }[] = [];
    for (const direction of ['recvonly', 'inactive', 'sendonly'] as const) {
      const joinedAt = performance.now();
      const { peer, p } = await joinRtp(conf, { direction });
      const left = waitFor<{ reason: string; at: number }>(`${direction} to leave`, HOLD_TIMEOUT_MS + 5000, (resolve) =>
        p.on('close', (reason) => resolve({ reason, at: performance.now() })),
      );
      peers.push({ direction, peer, p, joinedAt, left });
    }
    const lines: string[] = [];
    for (const { direction, peer, joinedAt, left } of peers) {
      const { reason, at } = await left;
      expect(reason, direction).toBe('media-timeout');
      // recvonly (the peer would receive) times out at the media timeout; the holders at the hold timeout.
      const limit = direction === 'recvonly' ? MEDIA_TIMEOUT_MS : HOLD_TIMEOUT_MS;
      expect(at - joinedAt, `${direction} left after its timeout`).toBeGreaterThanOrEqual(limit - 50);
      expect(at - joinedAt, `${direction} left soon after its timeout`).toBeLessThan(limit + 2000);
      const late = receivedAfter(peer, joinedAt + EARLY_MS + SLACK_MS);
      expect(late.length, `${direction}: datagrams after the early window`).toBe(0);
      const early = [...peer.rtp, ...peer.rtcp];
      // At most the early window's worth: 50 packets a second of RTP, plus a few RTCP reports.
      expect(early.length, `${direction}: datagrams in the early window`).toBeLessThanOrEqual(((EARLY_MS + SLACK_MS) / 20) + 6);
      if (direction === 'recvonly') expect(peer.rtp.length, 'recvonly gets early media').toBeGreaterThan(10);
      else expect(peer.rtp.length, `we never send media to a ${direction} peer`).toBe(0);
      lines.push(`${direction}: ${early.length} datagrams (${bytes(early)} B) in the early window, 0 after; left after ${(at - joinedAt).toFixed(0)} ms`);
    }
    report.push(`silent peers: ${lines.join('; ')}`);
  }, 20_000);

  it('a recvonly peer that sends RTCP receiver reports keeps receiving media and stays; when its reports stop, so does our media', async () => {
    const { conf } = await room(engine);
    const { peer, p } = await joinRtp(conf, { direction: 'recvonly' });
    const ssrc = 0x5eed;
    const rr = receiverReport(ssrc);
    const start = performance.now();
    // An RR every second for six seconds: longer than the early window, the consent period and the media timeout.
    let lastRrAt = 0;
    for (let i = 0; i < 6; i++) {
      peer.send(rr);
      lastRrAt = performance.now();
      await sleep(1000);
    }
    expect(p.closed).toBe(false);
    const lastSecond = peer.rtp.filter((r) => r.at > performance.now() - 1000).length;
    expect(lastSecond, 'media in the last second').toBeGreaterThan(35);
    const stats = (await p.stats())!;
    expect(stats.consent).toBe(true);
    expect(stats.withheldFrames).toBe(0);
    // The reports stop: media stops once the consent period has passed (checked every 750 ms
    // here), then the peer times out.
    const left = waitFor<string>('the peer to time out', MEDIA_TIMEOUT_MS + 3000, (resolve) => p.on('close', resolve));
    const lapse = lastRrAt + CONSENT_MS + 750 + SLACK_MS;
    await sleep(lapse + 500 - performance.now());
    const withheld = (await p.stats())!.withheldFrames;
    expect(withheld, 'frames withheld once consent lapsed').toBeGreaterThan(0);
    expect(await left).toBe('media-timeout');
    expect(receivedAfter(peer, lapse).length, 'datagrams after consent lapsed').toBe(0);
    report.push(`recvonly with RRs: ${peer.rtp.length} RTP packets over ${((lastRrAt - start) / 1000).toFixed(1)} s, ${lastSecond} in the last second; after its RRs stopped: ${withheld} frames withheld, then media-timeout`);
  }, 20_000);

  it('one talker and twenty silent recvonly targets: nothing reaches the targets after the early window', async () => {
    const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });
    const talker = await joinRtp(conf);
    const stream = newStream();
    const voice = new OpusTone(440);
    const pacer = pace(() => talker.peer.send(stream.next(voice.next())), 300); // 6 s of tone
    const joinedAt = performance.now();
    const targets = await Promise.all(Array.from({ length: 20 }, () => joinRtp(conf, { direction: 'recvonly' })));
    await sleep(EARLY_MS + SLACK_MS);
    const windowStart = performance.now();
    await sleep(3000);
    const early = targets.reduce((n, t) => n + bytes(t.peer.rtp.filter((r) => r.at <= windowStart)) + bytes(t.peer.rtcp.filter((r) => r.at <= windowStart)), 0);
    const late = targets.reduce((n, t) => n + bytes(receivedAfter(t.peer, windowStart)), 0);
    expect(late, 'bytes toward the targets after the early window').toBe(0);
    expect(early, 'the targets got early media').toBeGreaterThan(0);
    // The talker itself has consent: it hears the conference (silence or comfort) all along.
    expect(talker.peer.rtp.filter((r) => r.at > windowStart).length).toBeGreaterThan(100);
    const sentIn = (await talker.p.stats())!.packetsIn;
    const withheld = (await Promise.all(targets.map(async (t) => (await t.p.stats())!.withheldFrames))).reduce((a, b) => a + b, 0);
    expect(withheld).toBeGreaterThan(20 * 100);
    pacer.stop();
    report.push(
      `amplifier: talker sent ${sentIn} packets; 20 recvonly targets got ${early} B in the first ${(windowStart - joinedAt).toFixed(0)} ms, 0 B in the next 3 s (${withheld} frames withheld)`,
    );
  }, 20_000);

  it('a re-offer that moves the peer to a new host gives it only the early window again', async () => {
    const { conf } = await room(engine);
    const { peer, p } = await joinRtp(conf);
    const stream = newStream();
    const voice = new OpusTone(440);
    const pacer = pace(() => peer.send(stream.next(voice.next())), 150);
    await sleep(500);
    // The peer says it now receives on 127.0.0.2 (another host, which never sends).
    const { makeSdp } = await import('../helpers/rtpCraft.js');
    const moved = await p.reoffer(makeSdp({ port: 45000, address: '127.0.0.2', sessionVersion: 2 }));
    expect(moved).toMatch(/a=sendrecv/);
    pacer.stop();
    // Our peer on 127.0.0.1 goes on sending: that is not the new host, so it gives no consent to it.
    const keep = pace(() => peer.send(stream.next(voice.next())), 150);
    await sleep(EARLY_MS + SLACK_MS);
    expect((await p.stats())!.consent).toBe(false);
    keep.stop();
  }, 20_000);
});
