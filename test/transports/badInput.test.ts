// Hostile and broken datagrams on a live RTP participant, over real UDP on loopback. Each
// attack runs while the participant streams a 440 Hz tone; a listener (L) hears it together
// with a 660 Hz talker (T). Each bad datagram must be dropped and counted under its reason,
// nothing else may be dropped, every legitimate packet must still be taken, and L's recording
// must hold both tones in every 100 ms window of the attack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { writeBye } from '../../src/rtp/rtcp.js';
import { generateSdesKey } from '../../src/sdp/sdesCrypto.js';
import type { DropReason } from '../../src/transports/DropCounter.js';
import type { TransportStats } from '../../src/transports/TransportStats.js';
import { sleep, tone } from '../helpers/audio.js';
import {
  buildRtp, classifyDatagram, counts, Hiccup, makeSdp, OpusTone, Pacer, prng, randomInt, RtpPeer, RtpStream, sdpPort, sdpSsrc, windowLevels,
} from '../helpers/rtpCraft.js';

const WARMUP = 50; // ticks of clean stream before the attack (1 s)
const ATTACK = 50; // ticks under attack (1 s)
const TAIL = 20; // clean ticks after it
/** The part of L's recording checked window by window: the attack and 200 ms after it. */
const CHECKED_MS = (ATTACK + 10) * 20;

interface Tick {
  k: number;
  /** The legitimate packet of this tick, as sent (protected when SRTP). */
  wire: Buffer;
  /** Sends from A's own socket (the latched source). */
  send: (data: Uint8Array) => void;
  stream: RtpStream;
  /** A 1000 Hz Opus source: attack packets carry it, so anything that leaks into the mix is audible. */
  evil: OpusTone;
  history: Buffer[];
}

interface Attack {
  srtp?: boolean;
  before?: (t: Tick) => void;
  after?: (t: Tick) => void;
  /** Runs once before the pacer starts (extra sockets...). */
  setup?: (ctx: { roomtonePort: number }) => Promise<void> | void;
  teardown?: () => Promise<void> | void;
}

interface Outcome {
  stats: TransportStats;
  legit: number;
  recording: Int16Array;
  levels: { f440: number[]; f660: number[]; f1000: number[] };
  left: string[];
  /** Why audio could falter without the attack: sender lateness, media-thread stalls, underruns. */
  load: { senderLateMs: number; skippedTicks: number; underruns: number; targetMs: number };
}

describe('bad input on an RTP participant is dropped, counted, and does not disturb the mix', () => {
  let engine: Engine;
  const report: string[] = [];

  beforeAll(() => {
    engine = new Engine({ workers: 1, logging: 'silent' });
  });
  afterAll(async () => {
    await engine?.close();
    console.log(report.join('\n'));
  });

  async function underAttack(name: string, attack: Attack, seed: number): Promise<Outcome> {
    const rand = prng(seed);
    const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });
    const left: string[] = [];
    conf.on('participant-left', (e) => left.push(`${e.participantId}:${e.reason}`));
    const peer = await RtpPeer.open();
    let pacer: Pacer | null = null;
    try {
      const talker = conf.createMemoryPort();
      talker.writeSignal(tone(660, 48000, 8));
      await conf.addParticipant({ port: talker });
      const listener = conf.createMemoryPort();
      await conf.addParticipant({ port: listener });

      const key = attack.srtp ? generateSdesKey('AES_CM_128_HMAC_SHA1_80', 1) : undefined;
      const a = await conf.addParticipant({ sdp: makeSdp({ port: peer.port, key }) });
      const answer = a.sdp!;
      expect(sdpSsrc(answer)).toBeGreaterThan(0);
      peer.dest = { address: '127.0.0.1', port: sdpPort(answer) };
      if (key) {
        expect(answer).toMatch(/^m=audio \d+ RTP\/SAVP 111/m);
        peer.setKeys(key, null);
      }
      await attack.setup?.({ roomtonePort: sdpPort(answer) });

      const stream = new RtpStream({ ssrc: randomInt(rand, 1, 0xfffffffe), seq: randomInt(rand, 0, 0xffff), ts: randomInt(rand, 0, 0xffffffff), payloadType: 111 });
      const source = new OpusTone(440);
      const evil = new OpusTone(1000);
      const history: Buffer[] = [];
      const hiccup = new Hiccup();
      let legit = 0;
      // The attack starts at the first tick after the clean snapshot below (a late timer may
      // send several ticks at once, so a fixed tick could fall before the snapshot).
      let armedAt = Infinity;
      pacer = new Pacer(
        (k) => {
          const wire = peer.protect(stream.next(source.next(), { marker: k === 0 }));
          const t: Tick = { k, wire, send: (d) => peer.send(d), stream, evil, history };
          const attacking = k >= armedAt && k < armedAt + ATTACK;
          if (attacking) attack.before?.(t);
          hiccup.send(k, wire, (d) => peer.send(d));
          legit++;
          history.push(wire);
          if (attacking) attack.after?.(t);
        },
        { maxTicks: WARMUP + ATTACK + TAIL + 200 },
      ).start();

      await pacer.until(WARMUP);
      const clean = (await a.stats())!;
      expect(clean.drops, `nothing dropped before the attack: ${JSON.stringify(clean)}`).toEqual({});
      expect(clean.latched).toBe(`127.0.0.1:${peer.port}`);
      const skippedBefore = (await engine.hostStats()).reduce((n, h) => n + h.scheduler.skippedTicks, 0);
      listener.readAll(); // the warm-up: not checked
      armedAt = pacer.k;
      await pacer.until(armedAt + ATTACK + 10);
      const checkedEnd = (await a.stats())!;
      await pacer.until(armedAt + ATTACK + TAIL);
      pacer.stop();
      expect(pacer.error).toBeNull();
      await sleep(150);
      const recording = listener.readAll();
      const stats = (await a.stats())!;
      const skippedAfter = (await engine.hostStats()).reduce((n, h) => n + h.scheduler.skippedTicks, 0);
      const load = {
        senderLateMs: Math.round(pacer.maxLateness(armedAt - 5, armedAt + ATTACK + 10)),
        skippedTicks: skippedAfter - skippedBefore,
        underruns: checkedEnd.inbound.underruns - clean.inbound.underruns,
        targetMs: clean.inbound.targetMs,
      };
      const checked = recording.subarray(0, (48000 * CHECKED_MS) / 1000);
      const levels = { f440: windowLevels(checked, 440), f660: windowLevels(checked, 660), f1000: windowLevels(checked, 1000) };
      const min = (xs: number[]) => Math.min(...xs).toFixed(1);
      const max = (xs: number[]) => Math.max(...xs).toFixed(1);
      report.push(
        `${name}: drops ${JSON.stringify(stats.drops)}; packetsIn ${stats.packetsIn}/${legit} legit; L per 100 ms: ` +
          `440 Hz min ${min(levels.f440)}, 660 Hz min ${min(levels.f660)}, 1000 Hz max ${max(levels.f1000)} dBFS over ${levels.f440.length} windows; load ${JSON.stringify(load)}`,
      );
      return { stats, legit, recording, levels, left: [...left], load };
    } finally {
      pacer?.stop();
      await attack.teardown?.();
      await peer.close();
      await conf.close();
    }
  }

  /** What every attack must leave intact: the legitimate stream and the mix. */
  function expectUndisturbed(o: Outcome, drops: Partial<Record<DropReason, number>>): void {
    expect(o.stats.drops).toEqual(drops);
    expect(o.stats.packetsIn, 'every legitimate packet was taken, no bad one was').toBe(o.legit);
    expect(o.stats.inbound.lost, 'no legitimate packet concealed as lost').toBe(0);
    expect(o.stats.ssrcChanges).toBe(0);
    expect(o.left, 'nobody left').toEqual([]);
    expect(o.recording.length).toBeGreaterThanOrEqual((48000 * CHECKED_MS) / 1000);
    expect(o.levels.f440.length).toBe(CHECKED_MS / 100);
    for (const [i, db] of o.levels.f440.entries()) expect(db, `A's 440 Hz in L's window ${i}`).toBeGreaterThan(-30);
    for (const [i, db] of o.levels.f660.entries()) expect(db, `T's 660 Hz in L's window ${i}`).toBeGreaterThan(-30);
    for (const [i, db] of o.levels.f1000.entries()) expect(db, `attack audio (1000 Hz) in L's window ${i}`).toBeLessThan(-50);
  }

  /** An Opus packet of the attacker's 1000 Hz tone that would take the next legitimate packet's place. */
  const evilPacket = (t: Tick, o: { ssrc?: number; payloadType?: number } = {}) =>
    buildRtp({ payloadType: o.payloadType ?? 111, sequenceNumber: t.stream.seq, timestamp: t.stream.ts, ssrc: o.ssrc ?? t.stream.ssrc }, t.evil.next());

  it('drops truncated packets as truncated', async () => {
    // Prefixes 0..11 bytes of a real packet; a CSRC count of 15 with the list cut short; an
    // extension bit with the extension header cut off.
    const variants: ((wire: Buffer) => Buffer)[] = [];
    for (let n = 0; n < 12; n++) variants.push((w) => Buffer.from(w.subarray(0, n)));
    for (const n of [12, 20, 40, 71]) variants.push((w) => {
      const b = Buffer.from(w.subarray(0, n));
      b[0] = (b[0] & 0xf0) | 0x0f;
      return b;
    });
    for (const n of [12, 13, 15]) variants.push((w) => {
      const b = Buffer.from(w.subarray(0, n));
      b[0] |= 0x10;
      return b;
    });
    let sent = 0;
    const o = await underAttack('truncated', {
      after: (t) => {
        if (sent < variants.length) {
          t.send(variants[sent](t.wire));
          sent++;
        }
      },
    }, 1);
    expect(sent).toBe(variants.length);
    expectUndisturbed(o, { truncated: variants.length });
  });

  it('drops random bytes by the first check they fail (seeded: mostly bad-version)', async () => {
    const rand = prng(0xbad5eed);
    const datagrams: Buffer[] = [];
    for (let i = 0; i < 100; i++) {
      const b = Buffer.alloc(randomInt(rand, 0, 400));
      for (let j = 0; j < b.length; j++) b[j] = randomInt(rand, 0, 255);
      datagrams.push(b);
    }
    let ssrc = 0;
    let sent = 0;
    const o = await underAttack('random bytes', {
      after: (t) => {
        ssrc = t.stream.ssrc;
        for (let i = 0; i < 2 && sent < datagrams.length; i++) t.send(datagrams[sent++]);
      },
    }, 2);
    expect(sent).toBe(datagrams.length);
    const expected = counts(datagrams.map((d) => classifyDatagram(d, { payloadTypes: [111], ssrc })));
    report.push(`random bytes: reference classification ${JSON.stringify(expected)}`);
    // With this seed, no datagram is acceptable and most fail the version check.
    expect(expected.accepted).toBeUndefined();
    expect(expected['bad-version']).toBeGreaterThan(60);
    expectUndisturbed(o, expected as Partial<Record<DropReason, number>>);
  });

  it('drops packets of RTP version 0, 1 and 3 as bad-version', async () => {
    let sent = 0;
    const o = await underAttack('wrong version', {
      after: (t) => {
        const b = evilPacket(t);
        b[0] = (b[0] & 0x3f) | ([0, 1, 3][t.k % 3] << 6);
        t.send(b);
        sent++;
      },
    }, 3);
    expect(sent).toBe(ATTACK);
    expectUndisturbed(o, { 'bad-version': ATTACK });
  });

  it('drops payload types the answer did not negotiate as unknown-payload-type', async () => {
    // 0 (PCMU), 8 (PCMA) and 9 (G722) are static types we would accept in another offer;
    // 96..127 dynamic. (With the marker bit, 72..95 would be taken for RTCP: not used here.)
    const types = [0, 8, 9, 18, 96, 100, 110, 127];
    let sent = 0;
    const o = await underAttack('unknown payload type', {
      after: (t) => {
        t.send(evilPacket(t, { payloadType: types[t.k % types.length] }));
        sent++;
      },
    }, 4);
    expect(sent).toBe(ATTACK);
    expectUndisturbed(o, { 'unknown-payload-type': ATTACK });
  });

  it('drops a second SSRC from the latched source as wrong-ssrc while the first is active', async () => {
    // The intruding stream is itself well formed (consecutive seq, 20 ms timestamps), with the
    // attacker's tone: were it accepted, L would hear 1000 Hz.
    let intruder: RtpStream | null = null;
    let sent = 0;
    const o = await underAttack('wrong ssrc', {
      after: (t) => {
        intruder ??= new RtpStream({ ssrc: (t.stream.ssrc ^ 0x5a5a5a5a) >>> 0, seq: 1000, ts: 123456, payloadType: 111 });
        t.send(intruder.next(t.evil.next(), { marker: sent === 0 }));
        sent++;
      },
    }, 5);
    expect(sent).toBe(ATTACK);
    expectUndisturbed(o, { 'wrong-ssrc': ATTACK });
  });

  it('drops SRTP packets whose tag or payload was altered as srtp-auth', async () => {
    // A forged copy of each upcoming packet, sent just before the real one: the replay window
    // must not advance for a packet that failed authentication, or the real one would be refused.
    let sent = 0;
    const o = await underAttack('SRTP bad tag', {
      srtp: true,
      before: (t) => {
        const forged = Buffer.from(t.wire);
        if (t.k % 2 === 0) forged[forged.length - 1] ^= 0x01; // the tag
        else forged[20] ^= 0x80; // the encrypted payload
        t.send(forged);
        sent++;
      },
    }, 6);
    expect(sent).toBe(ATTACK);
    expectUndisturbed(o, { 'srtp-auth': ATTACK });
  });

  it('drops replayed SRTP packets as srtp-replay', async () => {
    // Each tick: the packet just sent again, and the one from 5 ticks ago.
    let sent = 0;
    const o = await underAttack('SRTP replay', {
      srtp: true,
      after: (t) => {
        t.send(t.wire);
        t.send(t.history[t.history.length - 6]);
        sent += 2;
      },
    }, 7);
    expect(sent).toBe(2 * ATTACK);
    expectUndisturbed(o, { 'srtp-replay': 2 * ATTACK });
  });

  it('drops datagrams over 1500 bytes as oversized', async () => {
    const sizes = [1501, 1600, 2000, 4000, 9000];
    let sent = 0;
    const o = await underAttack('oversized', {
      after: (t) => {
        if (t.k % 2 !== 0) return; // spread out: a 9000-byte datagram is a lot of receive buffer
        const head = evilPacket(t);
        const big = Buffer.alloc(sizes[sent % sizes.length], 0x55);
        head.copy(big, 0, 0, Math.min(head.length, big.length));
        t.send(big);
        sent++;
      },
    }, 8);
    expect(sent).toBe(ATTACK / 2);
    expectUndisturbed(o, { oversized: ATTACK / 2 });
    // They came through the media thread's tick-time reader, which truncates at 1500 and says so.
    const [host] = await engine.hostStats();
    expect(host.receiver.packets).toBeGreaterThan(ATTACK);
    expect(host.receiver.errors).toBe(0);
  });

  it('drops packets from a foreign address (127.0.0.2) as foreign-source, including a forged BYE', async () => {
    // Same SSRC, the upcoming sequence numbers, the attacker's tone; and an RTCP BYE for A's
    // SSRC, which would end A's call if it were believed.
    let foreign: RtpPeer | null = null;
    let sent = 0;
    const bye = Buffer.alloc(8);
    const o = await underAttack('foreign address', {
      setup: async ({ roomtonePort }) => {
        foreign = await RtpPeer.open('127.0.0.2');
        foreign.dest = { address: '127.0.0.1', port: roomtonePort };
      },
      teardown: () => foreign?.close(),
      after: (t) => {
        if (t.k % 10 === 0) {
          writeBye(bye, 0, t.stream.ssrc);
          foreign!.send(bye);
        } else {
          foreign!.send(evilPacket(t));
        }
        sent++;
      },
    }, 9);
    expect(sent).toBe(ATTACK);
    expectUndisturbed(o, { 'foreign-source': ATTACK });
  });

  it('drops packets from the right address but another port as foreign-source', async () => {
    let other: RtpPeer | null = null;
    let sent = 0;
    const o = await underAttack('foreign port', {
      setup: async ({ roomtonePort }) => {
        other = await RtpPeer.open('127.0.0.1');
        other.dest = { address: '127.0.0.1', port: roomtonePort };
      },
      teardown: () => other?.close(),
      after: (t) => {
        other!.send(evilPacket(t));
        sent++;
      },
    }, 10);
    expect(sent).toBe(ATTACK);
    expectUndisturbed(o, { 'foreign-source': ATTACK });
  });
});
