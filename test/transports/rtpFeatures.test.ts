// What an RTP participant does beyond carrying audio, end to end over real UDP on loopback
// with hand-made packets: DTMF, RFC 6464 audio levels, SSRC changes and timestamp jumps.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { sleep } from '../helpers/audio.js';
import { AUDIO_LEVEL_URI, Hiccup, OpusTone } from '../helpers/rtpCraft.js';
import { cleanup, expectNoTone, expectTone, joinRtp, newStream, pace, report, room } from '../helpers/rtpRoom.js';

afterEach(cleanup);
afterAll(() => console.log(report.join('\n')));

describe('RTP participant features (real UDP on loopback)', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ workers: 1, logging: 'silent', media: { rtcpIntervalMs: 500 } });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('turns RFC 4733 events, end packets sent three times, into exactly one dtmf event per key press', async () => {
    const { conf } = await room(engine);
    const { peer, p, answer } = await joinRtp(conf, { telephoneEvent: { payloadType: 110, rate: 48000 } });
    expect(answer).toMatch(/^a=rtpmap:110 telephone-event\/48000\r?$/m);
    const presses = [
      { digit: '1', code: 1, ms: 100 },
      { digit: '5', code: 5, ms: 60 },
      { digit: '5', code: 5, ms: 200 }, // the same key again: a new event (new timestamp)
      { digit: '#', code: 11, ms: 140 },
      { digit: 'D', code: 15, ms: 40 },
      { digit: '0', code: 0, ms: 80 },
    ];
    type Step = { kind: 'audio' } | { kind: 'event'; press: number; j: number; end: boolean; duration: number };
    const plan: Step[] = Array.from({ length: 25 }, () => ({ kind: 'audio' }) as Step);
    presses.forEach((press, i) => {
      const n = press.ms / 20;
      for (let j = 0; j < n; j++) plan.push({ kind: 'event', press: i, j, end: false, duration: (j + 1) * 960 });
      for (let r = 0; r < 3; r++) plan.push({ kind: 'event', press: i, j: n + r, end: true, duration: n * 960 });
      for (let a = 0; a < 10; a++) plan.push({ kind: 'audio' });
    });
    for (let a = 0; a < 40; a++) plan.push({ kind: 'audio' });
    const viaConference: { participantId: number; digit: string; durationMs: number }[] = [];
    const viaParticipant: [string, number][] = [];
    conf.on('dtmf', (e) => viaConference.push({ participantId: e.participantId, digit: e.digit, durationMs: e.durationMs }));
    p.on('dtmf', (digit, ms) => viaParticipant.push([digit, ms]));

    const stream = newStream();
    const voice = new OpusTone(440);
    let eventTs = 0;
    const pacer = pace((k) => {
      const step = plan[k];
      if (step.kind === 'audio') return peer.send(stream.next(voice.next()));
      if (step.j === 0) eventTs = stream.ts; // an event's timestamp is the instant it began
      const payload = Buffer.of(presses[step.press].code, (step.end ? 0x80 : 0) | 10, step.duration >> 8, step.duration & 0xff);
      peer.send(stream.next(payload, { payloadType: 110, timestamp: eventTs, marker: step.j === 0 }));
    }, plan.length);
    await pacer.until(24);
    const baseline = (await p.stats())!;
    await pacer.until(plan.length);
    const streaming = (await p.stats())!; // the voice is still flowing: how deep is its buffer now?
    await sleep(300);

    const expected = presses.map((x) => ({ participantId: p.id, digit: x.digit, durationMs: x.ms }));
    expect(viaConference).toEqual(expected);
    expect(viaParticipant).toEqual(presses.map((x) => [x.digit, x.ms]));
    const stats = (await p.stats())!;
    expect(stats.drops).toEqual({});
    expect(stats.packetsIn).toBe(plan.length);
    // Telephone-events take audio sequence numbers; they are neither loss nor concealed.
    expect(stats.inbound.lost).toBe(0);
    // At most one concealed frame per press; frames concealed because the buffer ran dry (late
    // packets on a busy machine) are the clock's, not the events', and are set aside.
    const concealed = (s: typeof stats) => s.inbound.concealed - s.inbound.concealedDry;
    expect(concealed(stats) - concealed(baseline)).toBeLessThanOrEqual(presses.length);
    report.push(`dtmf: ${viaConference.map((e) => `${e.digit}/${e.durationMs}ms`).join(' ')}; audio jitter buffer after: lost ${stats.inbound.lost}, concealed ${stats.inbound.concealed}, underruns ${stats.inbound.underruns}; before the digits: target ${baseline.inbound.targetMs} ms, buffered ${baseline.inbound.bufferedMs.toFixed(0)} ms; after them, voice flowing: target ${streaming.inbound.targetMs} ms, buffered ${streaming.inbound.bufferedMs.toFixed(0)} ms`);
  });

  it('reports a key press whose end packets were all lost, once telephone-events stop', async () => {
    const { conf } = await room(engine);
    const { peer, p } = await joinRtp(conf, { telephoneEvent: { payloadType: 110, rate: 48000 } });
    const digits: string[] = [];
    p.on('dtmf', (digit) => digits.push(digit));
    const stream = newStream();
    const voice = new OpusTone(440);
    let eventTs = 0;
    const pacer = pace((k) => {
      if (k < 10 || k >= 15) return peer.send(stream.next(voice.next()));
      if (k === 10) eventTs = stream.ts;
      const payload = Buffer.of(7, 10, 0, ((k - 9) * 960) >> 8); // digit 7, never an end bit
      peer.send(stream.next(payload, { payloadType: 110, timestamp: eventTs, marker: k === 10 }));
    }, 40);
    await pacer.until(40);
    await sleep(200);
    expect(digits).toEqual(['7']);
  });

  it('reads RFC 6464 audio levels from the one-byte header extension it negotiated', async () => {
    const { conf, listener } = await room(engine);
    const { peer, p, answer } = await joinRtp(conf, { audioLevelId: 1 });
    expect(answer).toContain(`a=extmap:1 ${AUDIO_LEVEL_URI}`);
    const stream = newStream();
    const voice = new OpusTone(440);
    // 0-49: level 25 with the voice bit; 50-99: level 60 without it; 100-149: id 2 (not
    // negotiated) says 99, which must be ignored.
    const hiccup = new Hiccup();
    expect((await p.stats())!.audioLevel).toBeNull(); // nothing sent yet
    const pacer = pace((k) => {
      const ext: [number, Uint8Array][] = k < 50 ? [[1, Uint8Array.of(0x80 | 25)]] : k < 100 ? [[1, Uint8Array.of(60)]] : [[2, Uint8Array.of(99)]];
      hiccup.send(k, stream.next(voice.next(), { extensions: ext }), (d) => peer.send(d));
    }, 150);
    // Each level is read 20 ticks into its 50-tick stretch, well clear of both ends.
    await pacer.until(30);
    expect((await p.stats())!.audioLevel).toBe(25);
    await pacer.until(80);
    expect((await p.stats())!.audioLevel).toBe(60);
    listener.readAll();
    await pacer.until(140);
    const stats = (await p.stats())!;
    expect(stats.audioLevel).toBe(60);
    expect(stats.drops).toEqual({});
    // The payload starts after the extension block: L hears the tone, undamaged.
    const heard = listener.readAll();
    const min440 = expectTone(heard.subarray(0, 48000), 440, 'L hears A through its extensions');
    report.push(`audio level: 25 then 60, id 2 ignored; L hears A's 440 Hz at >= ${min440.toFixed(1)} dBFS per 100 ms`);
  });

  it('keeps the audio going when the sender changes SSRC after a pause of over a second', async () => {
    const { conf, listener } = await room(engine);
    const { peer, p } = await joinRtp(conf);
    const first = newStream();
    const second = newStream();
    const before = new OpusTone(440);
    const after = new OpusTone(880);
    // 0-49: first SSRC (440 Hz); 50-109 silence (1.2 s); 110-189: second SSRC (880 Hz), new seq and timestamp base.
    const hiccup = new Hiccup();
    const pacer = pace((k) => {
      if (k < 50) hiccup.send(k, first.next(before.next()), (d) => peer.send(d));
      else if (k >= 110) peer.send(second.next(after.next(), { marker: k === 110 }));
    }, 190);
    await pacer.until(125);
    listener.readAll();
    await pacer.until(180);
    const heard = listener.readAll();
    const stats = (await p.stats())!;
    expect(stats.ssrcChanges).toBe(1);
    expect(stats.drops).toEqual({});
    expect(stats.packetsIn).toBeGreaterThanOrEqual(50 + 65);
    const min880 = expectTone(heard, 880, 'L hears the new SSRC');
    expectTone(heard, 660, 'L hears T');
    expectNoTone(heard, 440, 'the old stream is gone');
    report.push(`ssrc change: ssrcChanges ${stats.ssrcChanges}; new stream heard at >= ${min880.toFixed(1)} dBFS per 100 ms over ${(heard.length / 48).toFixed(0)} ms`);
  });

  it('keeps the audio going across RTP timestamp jumps (forward 10 s, then back 5 s)', async () => {
    const { conf, listener } = await room(engine);
    const { peer, p } = await joinRtp(conf);
    const stream = newStream();
    const voice = new OpusTone(440);
    const hiccup = new Hiccup();
    const pacer = pace((k) => {
      if (k === 60) stream.ts = (stream.ts + 480_000) >>> 0;
      if (k === 90) stream.ts = (stream.ts - 240_000) >>> 0;
      hiccup.send(k, stream.next(voice.next()), (d) => peer.send(d));
    }, 140);
    await pacer.until(50);
    listener.readAll();
    const jitterBefore = (await p.stats())!.inbound.jitterMs;
    await pacer.until(120);
    const heard = listener.readAll();
    const stats = (await p.stats())!;
    expect(stats.drops).toEqual({});
    expect(stats.ssrcChanges).toBe(0);
    expect(stats.inbound.lost).toBe(0);
    // A jump is a sender restart, not network jitter: neither estimate may take it as one.
    expect(stats.inbound.jitterMs).toBeLessThan(20);
    expect(stats.rtcp!.jitterMs).toBeLessThan(20);
    const min440 = expectTone(heard, 440, 'L hears A across the jumps');
    expectTone(heard, 660, 'L hears T');
    report.push(
      `timestamp jump: 440 Hz >= ${min440.toFixed(1)} dBFS per 100 ms over ${(heard.length / 48).toFixed(0)} ms; ` +
        `inbound jitter ${jitterBefore.toFixed(1)} -> ${stats.inbound.jitterMs.toFixed(1)} ms, target delay ${stats.inbound.targetMs} ms, RTCP jitter ${stats.rtcp!.jitterMs.toFixed(1)} ms`,
    );
  });
});
