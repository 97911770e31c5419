import { afterEach, describe, expect, it } from 'vitest';
import { OpusDecoder } from '../../src/codecs/OpusDecoder.js';
import { OpusEncoder } from '../../src/codecs/OpusEncoder.js';
import { Engine } from '../../src/engine/Engine.js';
import { sleep } from '../helpers/audio.js';
import { RtpTestClient, type DecodedTimeline, type SendReport } from '../helpers/RtpTestClient.js';

const RATE = 48000;
const FRAME = 960;
const BURST_SAMPLES = 240; // 5 ms
const LEAD_IN = 50 * FRAME; // 1 s of silence before the first burst
const SPACING = 35 * FRAME; // 700 ms between bursts
/** Where each burst starts inside its 20 ms packet, in samples: onsets early, mid and late in a packet. */
const OFFSETS = [0, 200, 430, 610, 850, 120, 520];

/** 1 s of silence, then `count` 5 ms bursts of 1 kHz at -6 dBFS every 700 ms, then 600 ms of silence. */
function burstSignal(count = OFFSETS.length): { pcm: Int16Array; onsets: number[] } {
  const onsets = OFFSETS.slice(0, count).map((o, k) => LEAD_IN + k * SPACING + o);
  const pcm = new Int16Array(onsets[onsets.length - 1] + 30 * FRAME);
  for (const at of onsets) {
    for (let i = 0; i < BURST_SAMPLES; i++) pcm[at + i] = Math.round(16000 * Math.sin((2 * Math.PI * 1000 * i) / RATE));
  }
  return { pcm, onsets };
}

/**
 * Burst onsets: a sample louder than `floor` marks a burst; its onset is the first sample
 * reaching a quarter of the burst's own peak (so Opus's small pre-echo does not count, and the
 * same rule applied to the sent and the received signal has the same bias). Bursts are at least
 * `gap` samples apart.
 */
function findOnsets(x: Int16Array, floor = 2000, gap = 0.3 * RATE): number[] {
  const found: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) < floor) continue;
    const from = Math.max(0, i - 0.005 * RATE);
    const to = Math.min(x.length, i + 0.01 * RATE);
    let peak = 0;
    for (let j = from; j < to; j++) peak = Math.max(peak, Math.abs(x[j]));
    let onset = from;
    while (onset < to && Math.abs(x[onset]) < peak / 4) onset++;
    found.push(onset);
    i = onset + gap;
  }
  return found;
}

/** Opus's own delay on this signal (encoder lookahead and decoder), one hop, in ms. */
function opusHopDelayMs(pcm: Int16Array, onsets: number[]): number {
  const enc = new OpusEncoder({ bitrate: 32000, complexity: 5 });
  const dec = new OpusDecoder();
  const out = new Int16Array(pcm.length);
  for (let k = 0; (k + 1) * FRAME <= pcm.length; k++) out.set(dec.decode(enc.encode(pcm.subarray(k * FRAME, (k + 1) * FRAME)))!, k * FRAME);
  const heard = findOnsets(out);
  return ((heard[0] - onsets[0]) / RATE) * 1000;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

interface Measured {
  latencies: number[];
  rows: string[];
}

/** Where sample r of B's decoded stream reached B: its packet's arrival plus r's offset in it. */
function arrivalOf(heard: DecodedTimeline, r: number): number | null {
  const slot = heard.slots.find((s) => s.startSample <= r && r < s.startSample + s.samples);
  return slot?.packet ? slot.packet.arrivalMs + ((r - slot.startSample) / RATE) * 1000 : null;
}

/**
 * Mouth-to-ear time of each burst: from A's send of the packet carrying its onset (+ the
 * onset's offset in it) to B's receipt of the packet carrying it in roomtone's output (+ offset).
 * Each sent burst is paired with the first burst B heard after it.
 */
function measure(onsets: number[], sent: SendReport, heard: DecodedTimeline): Measured {
  const found = findOnsets(heard.pcm).map((r) => ({ r, t: arrivalOf(heard, r) }));
  expect(found.every((f) => f.t !== null), 'each onset B heard came in a received packet, not a concealed one').toBe(true);
  const latencies: number[] = [];
  const rows: string[] = [];
  for (const [k, sA] of onsets.entries()) {
    const packetA = sent.packets[Math.floor(sA / FRAME)];
    const tA = packetA.sentMs[0] + ((sA % FRAME) / RATE) * 1000;
    const match = found.find((f) => f.t! > tA);
    expect(match, `burst ${k} reached B`).toBeDefined();
    const latency = match!.t! - tA;
    expect(latency, `burst ${k}: B heard it before the next burst was sent`).toBeLessThan((SPACING / RATE) * 1000);
    latencies.push(latency);
    const slot = heard.slots.find((s) => s.startSample <= match!.r && match!.r < s.startSample + s.samples)!;
    rows.push(
      `burst ${k}: onset at ${sA % FRAME}/${FRAME} of A's packet, ${match!.r - slot.startSample}/${slot.samples} of B's; ` +
        `packet to packet ${(slot.packet!.arrivalMs - packetA.sentMs[0]).toFixed(1)} ms, mouth-to-ear ${latency.toFixed(1)} ms`,
    );
  }
  return { latencies, rows };
}

const summary = (v: number[]) => {
  const sorted = [...v].sort((a, b) => a - b);
  return `min ${sorted[0].toFixed(1)} / median ${median(v).toFixed(1)} / max ${sorted[sorted.length - 1].toFixed(1)} ms over ${v.length} bursts`;
};

describe('mouth-to-ear latency through roomtone', () => {
  let engine: Engine | undefined;
  const clients: RtpTestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await engine?.close();
    engine = undefined;
  });

  /** A talks, B listens, both over plain RTP with Opus on a clean loopback network. */
  async function twoParticipants() {
    engine = new Engine({ workers: 1, logging: 'silent' });
    const conf = await engine.createConference({ rate: RATE, intervalMs: 20, energyLevel: 50 });
    const a = await RtpTestClient.open({ seed: 101 });
    const b = await RtpTestClient.open({ seed: 202 });
    clients.push(a, b);
    const pa = await conf.addParticipant({ sdp: a.offer });
    const pb = await conf.addParticipant({ sdp: b.offer });
    a.connect(pa.sdp!);
    b.connect(pb.sdp!);
    await sleep(200); // B's stream from roomtone is running before A starts
    return { a, b, pa, pb };
  }

  it('a burst A sends reaches B within 100 ms at zero network jitter (median)', async () => {
    const { a, b, pa, pb } = await twoParticipants();
    const signal = burstSignal();
    const pcm = signal.pcm;
    // The detector's reading of the sent signal: within 3 samples of the true onsets. Measuring
    // both ends with it cancels its bias.
    const onsets = findOnsets(pcm);
    expect(onsets.map((o, k) => Math.abs(o - signal.onsets[k]) <= 3)).toEqual(signal.onsets.map(() => true));
    const sent = await a.sendSignal(pcm);
    const stats = (await pa.stats())!; // before A's stream ends (its end is concealed and counted as underruns)
    await sleep(400);
    const heard = b.decodeTimeline();
    expect(findOnsets(heard.pcm).length, 'B hears every burst once').toBe(onsets.length);
    expect(sent.datagrams).toBe(sent.packets.length);
    const { latencies, rows } = measure(onsets, sent, heard);

    const hop = opusHopDelayMs(pcm, onsets);
    const med = median(latencies);
    // B hears A alone: roomtone may forward A's packets (one codec hop, not two).
    const toB = (await pb.stats())!.outbound;
    console.log(
      [
        ...rows,
        `latency A→roomtone→B (excl. A's packetisation): ${summary(latencies)}`,
        `  of which Opus codec delay ${hop.toFixed(1)} ms per hop × 2 = ${(2 * hop).toFixed(1)} ms; roomtone's jitter buffer, tick phase and processing ≈ ${(med - 2 * hop).toFixed(1)} ms (median)`,
        `  packets to B sent as A sent them (one codec hop): ${toB.forwardedPackets} of ${toB.packets}`,
        `  roomtone's inbound stream for A: target ${stats.inbound.targetMs} ms, jitter ${stats.inbound.jitterMs.toFixed(2)} ms, ` +
          `underruns ${stats.inbound.underruns}, shrinks ${stats.inbound.shrinks}, lost ${stats.inbound.lost}`,
      ].join('\n'),
    );
    for (const l of latencies) expect(l, 'causal: no burst is heard before it was sent').toBeGreaterThan(0);
    expect(med).toBeLessThanOrEqual(100);
  }, 30_000);

  // Fails today: when a sender stops (end of a talkspurt without DTX packets: a G.711 phone with
  // VAD sending comfort noise, a phone muting by stopping RTP, a sender that pauses), the
  // inbound stream conceals 100 ms as "underruns" and raises its playout target by 20 ms for each
  // of those 5 frames; the next talkspurt starts only when the raised target is buffered. Two
  // pauses take the target to its 200 ms cap, and it decays by one frame per 10 s.
  // Remove `.fails` once InboundStream only counts an underrun when the stream resumes late.
  it('a talker who pauses between talkspurts is not delayed more after the pauses', async () => {
    const { a, b, pa } = await twoParticipants();
    const signal = burstSignal(3);
    const onsets = findOnsets(signal.pcm);
    let sent: SendReport | undefined;
    for (let round = 0; round < 3; round++) {
      sent = await a.sendSignal(signal.pcm); // a talkspurt (marker bit set), then 1 s without packets
      await sleep(1000);
    }
    const stats = (await pa.stats())!;
    const heard = b.decodeTimeline();
    const { latencies } = measure(onsets, sent!, heard); // the last round's bursts
    console.log(
      `after two 1 s pauses: latency ${summary(latencies)}; inbound target ${stats.inbound.targetMs} ms, underruns ${stats.inbound.underruns}`,
    );
    expect(median(latencies)).toBeLessThanOrEqual(100);
  }, 30_000);
});
