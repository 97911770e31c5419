// An RTP participant's session over real UDP on loopback: RTCP both ways, hold by re-offer,
// dial-out, media timeout, and the RTP port pool.
import { createSocket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import type { Participant } from '../../src/engine/Participant.js';
import { InvalidStateError } from '../../src/errors.js';
import { middle32, ntpFromUnixMs, parseRtcp, writeReceiverReport, writeSdesCname, writeSenderReport, type RtcpPacket, type RtcpSenderReport } from '../../src/rtp/rtcp.js';
import { newRtpPacket, parseRtp } from '../../src/rtp/RtpPacket.js';
import { generateSdesKey } from '../../src/sdp/sdesCrypto.js';
import { decodeOpusRtp, Hiccup, makeSdp, OpusTone, RtpPeer, sdpCrypto, sdpDirection, sdpPort, sdpSsrc } from '../helpers/rtpCraft.js';
import { cleanup, expectNoTone, expectTone, joinRtp, newStream, open, pace, report, room, until, waitFor } from '../helpers/rtpRoom.js';

afterEach(cleanup);
afterAll(() => console.log(report.join('\n')));

describe('RTP session (real UDP on loopback)', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ workers: 1, logging: 'silent', media: { rtcpIntervalMs: 500 } });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('exchanges RTCP: our SR reaches the peer, and the peer\'s reports about our stream show up in stats', async () => {
    const { conf } = await room(engine);
    const { peer, p, answer } = await joinRtp(conf);
    const ours = sdpSsrc(answer);
    const stream = newStream();
    const voice = new OpusTone(440);
    const pacer = pace((k) => peer.send(stream.next(voice.next())), 250);
    const rtcp = () => peer.rtcp.map((r) => ({ at: r.at, wall: Date.now() - (performance.now() - r.at), packets: parseRtcp(r.data, r.data.length) }));

    // 1. Their SR, with SDES CNAME, and a report block on our stream once it is validated.
    let sr: { wall: number; packet: RtcpSenderReport } | null = null;
    await until('an SR from roomtone with a report block about our stream', 5000, () => {
      for (const r of rtcp()) {
        if (typeof r.packets === 'string') continue;
        const s = r.packets.find((x): x is RtcpSenderReport => x.type === 'sr' && x.ssrc === ours && x.reports.some((b) => b.ssrc === stream.ssrc));
        if (s) {
          expect(r.packets.some((x) => x.type === 'sdes' && x.chunks.some((c) => c.ssrc === ours && c.cname !== null && c.cname.length > 0))).toBe(true);
          sr = { wall: r.wall, packet: s };
        }
      }
      return sr !== null;
    });
    const theirSr = sr!.packet;
    const block = theirSr.reports.find((b) => b.ssrc === stream.ssrc)!;
    expect(theirSr.packetCount).toBeGreaterThan(0);
    expect(theirSr.octetCount).toBeGreaterThan(theirSr.packetCount * 12);
    expect(block.fractionLost).toBe(0);
    expect(block.cumulativeLost).toBe(0);
    expect((stream.seq - 1 - (block.highestSeq & 0xffff)) & 0xffff, 'highest seq is one we sent recently').toBeLessThan(60);
    expect(peer.rtcp.every((r) => typeof parseRtcp(r.data, r.data.length) !== 'string')).toBe(true);

    // 2. Our RR about their stream: a quarter lost, 10 ms jitter, and LSR/DLSR for the RTT.
    const p0 = newRtpPacket();
    const last = peer.rtp[peer.rtp.length - 1].data;
    expect(parseRtp(last, last.length, p0)).toBeNull();
    expect(p0.ssrc).toBe(ours);
    const buf = Buffer.alloc(256);
    const sendReport = () => {
      const dlsr = Math.round(((Date.now() - sr!.wall) * 65536) / 1000);
      let n = writeReceiverReport(buf, 0, {
        ssrc: stream.ssrc,
        reports: [{ ssrc: ours, fractionLost: 64, cumulativeLost: 7, highestSeq: p0.sequenceNumber, jitter: 480, lsr: middle32(theirSr.ntpSec, theirSr.ntpFrac), dlsr }],
      });
      n += writeSdesCname(buf, n, stream.ssrc, 'rtpcraft');
      peer.send(buf.subarray(0, n));
    };
    sendReport();
    await until('our RR in stats', 3000, async () => (await p.stats())!.rtcp!.reportsReceived >= 1);
    const stats = (await p.stats())!;
    expect(stats.drops).toEqual({});
    expect(stats.rtcp!.remoteFractionLost).toBe(0.25);
    expect(stats.rtcp!.remoteCumulativeLost).toBe(7);
    expect(stats.rtcp!.remoteJitterMs).toBe(10);
    expect(stats.rtcp!.rttMs).not.toBeNull();
    expect(stats.rtcp!.rttMs!).toBeGreaterThanOrEqual(0);
    expect(stats.rtcp!.rttMs!).toBeLessThan(250);
    expect(stats.rtcp!.received).toBeGreaterThan(0);
    expect(stats.rtcp!.lost).toBe(0);

    // 3. Our SR: their next report block about us carries its LSR, so we can time the round trip too.
    const ntp = ntpFromUnixMs(Date.now());
    const sentAt = performance.now();
    let n = writeSenderReport(buf, 0, { ssrc: stream.ssrc, ntpSec: ntp.sec, ntpFrac: ntp.frac, rtpTimestamp: stream.ts, packetCount: stream.seq, octetCount: 1000, reports: [] });
    n += writeSdesCname(buf, n, stream.ssrc, 'rtpcraft');
    peer.send(buf.subarray(0, n));
    const lsr = middle32(ntp.sec, ntp.frac);
    let ourRtt = NaN;
    await until('a report block echoing our SR', 5000, () => {
      for (const r of peer.rtcp) {
        if (r.at < sentAt) continue;
        const packets = parseRtcp(r.data, r.data.length);
        if (typeof packets === 'string') continue;
        const b = packets.flatMap((x: RtcpPacket) => (x.type === 'sr' || x.type === 'rr' ? x.reports : [])).find((x) => x.ssrc === stream.ssrc && x.lsr === lsr);
        if (b) ourRtt = r.at - sentAt - (b.dlsr * 1000) / 65536;
      }
      return !Number.isNaN(ourRtt);
    });
    expect(ourRtt).toBeGreaterThan(-2); // DLSR is rounded to 1/65536 s
    expect(ourRtt).toBeLessThan(250);
    const final = (await p.stats())!;
    expect(final.rtcp!.reportsReceived).toBe(2);
    expect(final.rtcp!.reportsSent).toBeGreaterThanOrEqual(2);
    pacer.stop();
    report.push(
      `rtcp: their SR ${theirSr.packetCount} packets, block on us lost ${block.fractionLost}/${block.cumulativeLost}; ` +
        `our RR -> remoteFractionLost ${stats.rtcp!.remoteFractionLost}, remoteJitterMs ${stats.rtcp!.remoteJitterMs}, rttMs ${stats.rtcp!.rttMs!.toFixed(2)}; ` +
        `RTT measured from our SR ${ourRtt.toFixed(2)} ms; reports sent ${final.rtcp!.reportsSent}`,
    );
  });

  it('puts the participant on hold for a sendonly or inactive re-offer, and back for sendrecv', async () => {
    const { conf, listener } = await room(engine);
    const { peer, p, answer } = await joinRtp(conf);
    expect(sdpDirection(answer)).toBe('sendrecv');
    expect(p.state.held).toBe(false);
    const stream = newStream();
    const voice = new OpusTone(440);
    const hiccup = new Hiccup();
    const pacer = pace((k) => hiccup.send(k, stream.next(voice.next()), (d) => peer.send(d)), 500);
    const fromRoomtone = () => peer.rtp.length;
    // Waits are relative to where the pacer is once a re-offer has been answered.
    const ticks = (n: number) => pacer.until(pacer.k + n);

    await pacer.until(40);
    const holdAnswer = await p.reoffer(makeSdp({ port: peer.port, direction: 'sendonly', sessionVersion: 2 }));
    expect(sdpDirection(holdAnswer)).toBe('recvonly');
    expect(p.state.held).toBe(true);
    expect(p.sdp).toBe(holdAnswer);
    await ticks(10);
    listener.readAll();
    const sentBefore = fromRoomtone();
    await ticks(50);
    const onHold = listener.readAll();
    expect(fromRoomtone() - sentBefore, 'roomtone sends nothing to a participant that holds it').toBe(0);
    const held440 = expectNoTone(onHold, 440, 'a held participant is not in the mix');
    expectTone(onHold, 660, 'L still hears T');

    const inactive = await p.reoffer(makeSdp({ port: peer.port, direction: 'inactive', sessionVersion: 3 }));
    expect(sdpDirection(inactive)).toBe('inactive');
    expect(p.state.held).toBe(true);

    await ticks(30);
    const resume = await p.reoffer(makeSdp({ port: peer.port, direction: 'sendrecv', sessionVersion: 4 }));
    expect(sdpDirection(resume)).toBe('sendrecv');
    expect(p.state.held).toBe(false);
    await ticks(10);
    listener.readAll();
    const resumedFrom = fromRoomtone();
    await ticks(50);
    const back = listener.readAll();
    expect(fromRoomtone() - resumedFrom, 'roomtone sends again (50 ticks of 20 ms)').toBeGreaterThanOrEqual(40);
    const back440 = expectTone(back, 440, 'A is back in the mix');
    expectTone(back, 660, 'L hears T');
    expect((await p.stats())!.drops).toEqual({});
    report.push(`hold: answers recvonly/inactive/sendrecv; 440 Hz on hold <= ${held440.toFixed(1)} dBFS, after >= ${back440.toFixed(1)} dBFS; 0 RTP packets sent to the holder`);
  });

  for (const srtp of [false, true]) {
    it(`dials out${srtp ? ' with SDES-SRTP' : ''}: our offer, the peer's answer, then audio both ways`, async () => {
      const { conf, listener } = await room(engine);
      const peer = await RtpPeer.open();
      open.peers.push(peer);
      const p = await conf.addParticipant(srtp ? { srtp: 'AES_CM_128_HMAC_SHA1_80' } : {});
      const offer = p.sdp!;
      expect(offer).toMatch(srtp ? /^m=audio \d+ RTP\/SAVP 111 /m : /^m=audio \d+ RTP\/AVP 111 /m);
      expect(offer).toMatch(/^a=rtpmap:111 opus\/48000\/2\r?$/m);
      expect(offer).toMatch(/^a=rtcp-mux\r?$/m);
      expect(sdpDirection(offer)).toBe('sendrecv');
      expect(await p.stats()).toBeNull(); // no media before the answer
      const key = srtp ? generateSdesKey('AES_CM_128_HMAC_SHA1_80', 1) : undefined;
      const answer = makeSdp({ port: peer.port, key });
      await p.answer(answer);
      await expect(p.answer(answer)).rejects.toBeInstanceOf(InvalidStateError);
      peer.dest = { address: '127.0.0.1', port: sdpPort(offer) };
      if (key) peer.setKeys(key, sdpCrypto(offer));

      const stream = newStream();
      const voice = new OpusTone(440);
      const hiccup = new Hiccup();
      const pacer = pace((k) => hiccup.send(k, peer.protect(stream.next(voice.next())), (d) => peer.send(d)), 110);
      await pacer.until(40);
      listener.readAll();
      const firstHeard = peer.rtp.length;
      await pacer.until(100);
      const lHears = listener.readAll();
      const weHear = decodeOpusRtp(peer.rtp.slice(firstHeard));
      const stats = (await p.stats())!;
      expect(stats.drops).toEqual({});
      expect(stats.packetsIn).toBeGreaterThanOrEqual(95);
      expect(peer.srtpFailures).toBe(0);
      const p0 = newRtpPacket();
      expect(parseRtp(peer.rtp[firstHeard].data, peer.rtp[firstHeard].data.length, p0)).toBeNull();
      expect(p0.ssrc).toBe(sdpSsrc(offer));
      expect(p0.payloadType).toBe(111);
      const l440 = expectTone(lHears, 440, 'L hears the dialled participant');
      expectTone(lHears, 660, 'L hears T');
      expect(weHear.length).toBeGreaterThan(48000);
      const w660 = expectTone(weHear, 660, 'the dialled participant hears T');
      const w440 = expectNoTone(weHear, 440, 'and not itself', -40);
      report.push(`dial-out${srtp ? ' SRTP' : ''}: L hears it at >= ${l440.toFixed(1)} dBFS; it hears T at >= ${w660.toFixed(1)}, itself <= ${w440.toFixed(1)} dBFS`);
    });
  }
});

describe('media timeout', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ workers: 0, logging: 'silent', media: { mediaTimeoutMs: 1500 } });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('removes a participant that stopped sending, with reason media-timeout; one that keeps sending stays', async () => {
    const { conf } = await room(engine);
    const quiet = await joinRtp(conf);
    const steady = await joinRtp(conf);
    const left: { id: number; reason: string; at: number }[] = [];
    conf.on('participant-left', (e) => left.push({ id: e.participantId, reason: e.reason, at: performance.now() }));
    const closed = waitFor<string>('the quiet participant to close', 8000, (resolve) => quiet.p.on('close', resolve));
    const a = newStream();
    const b = newStream();
    const va = new OpusTone(440);
    const vb = new OpusTone(880);
    let lastQuiet = 0;
    const pacer = pace((k) => {
      if (k < 25) {
        quiet.peer.send(a.next(va.next()));
        lastQuiet = performance.now();
      }
      steady.peer.send(b.next(vb.next()));
    }, 250);
    expect(await closed).toBe('media-timeout');
    const silentFor = left[0].at - lastQuiet;
    expect(left.map((l) => [l.id, l.reason])).toEqual([[quiet.p.id, 'media-timeout']]);
    // Checked every 750 ms: gone between 1.5 s and 1.5 + 0.75 s (plus scheduling slack).
    expect(silentFor).toBeGreaterThanOrEqual(1450);
    expect(silentFor).toBeLessThan(3500);
    expect(quiet.p.closed).toBe(true);
    await pacer.until(Math.min(250, pacer.k + 50)); // one more second
    expect(steady.p.closed).toBe(false);
    expect((await steady.p.stats())!.drops).toEqual({});
    report.push(`media timeout: left ${silentFor.toFixed(0)} ms after its last packet (timeout 1500 ms)`);
  });
});

describe('RTP port pool', () => {
  const RANGE = { min: 31900, max: 31907 }; // four RTP/RTCP pairs: 31900, 31902, 31904, 31906
  const PAIRS = [31900, 31902, 31904, 31906];

  function canBind(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  }

  it('hands out each pair once, refuses clearly when exhausted, and takes ports back when participants leave', async () => {
    const engine = new Engine({ workers: 0, logging: 'silent', media: { ports: RANGE } });
    try {
      const conf = await engine.createConference({ rate: 48000, intervalMs: 20 });
      const peer = await RtpPeer.open();
      open.peers.push(peer);
      const offer = (rtcpMux: boolean) => makeSdp({ port: peer.port, rtcpMux });
      let inRoom: Participant[] = [];
      const ports: number[][] = [];
      for (let round = 0; round < 6; round++) {
        // Alternate rtcp-mux (the odd port is closed at once) and separate RTCP; in round 4 dial out (both kept until answered).
        const add = () => (round === 4 ? conf.addParticipant({}) : conf.addParticipant({ sdp: offer(round % 2 === 0) }));
        while (inRoom.length < PAIRS.length) inRoom.push(await add());
        const got = inRoom.map((p) => sdpPort(p.sdp!)).sort();
        expect(got, `round ${round}`).toEqual(PAIRS);
        ports.push(got);
        const refused = await add().then(
          () => null,
          (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(InvalidStateError);
        expect((refused as Error).message).toMatch(/no free RTP port in the configured range/);

        // One leaves: the next one gets exactly its port.
        const leaving = inRoom[round % inRoom.length];
        const freed = sdpPort(leaving.sdp!);
        await leaving.kick();
        inRoom = inRoom.filter((p) => p !== leaving);
        const next = await add();
        expect(sdpPort(next.sdp!), `round ${round}: the freed port is reused`).toBe(freed);
        inRoom.push(next);
        // Then everyone leaves (kicked, or by closing the participant).
        for (const [i, p] of inRoom.entries()) await (i % 2 === 0 ? p.kick() : p.close());
        inRoom = [];
      }
      // Nothing leaked: every port of the range can be bound again by someone else.
      for (let port = RANGE.min; port <= RANGE.max; port++) expect(await canBind(port), `port ${port} is free`).toBe(true);
      report.push(`port pool: 6 rounds of 4 participants in ${RANGE.min}-${RANGE.max}, 5th refused each time, freed port reused; all 8 ports free at the end`);
    } finally {
      await engine.close();
    }
  });

  it('skips a pair another program holds', async () => {
    const range = { min: 31910, max: 31917 };
    const holder = createSocket('udp4');
    open.sockets.push(holder);
    await new Promise<void>((resolve) => holder.bind(31913, '127.0.0.1', () => resolve())); // the RTCP port of pair 31912
    const engine = new Engine({ workers: 1, logging: 'silent', media: { ports: range } });
    try {
      const conf = await engine.createConference({ rate: 48000, intervalMs: 20 });
      const peer = await RtpPeer.open();
      open.peers.push(peer);
      const got: number[] = [];
      for (let i = 0; i < 3; i++) got.push(sdpPort((await conf.addParticipant({ sdp: makeSdp({ port: peer.port }) })).sdp!));
      expect(got.sort()).toEqual([31910, 31914, 31916]);
      await expect(conf.addParticipant({ sdp: makeSdp({ port: peer.port }) })).rejects.toThrow(/no free RTP port/);
    } finally {
      await engine.close();
    }
  });
});
