import { afterAll, describe, expect, it } from 'vitest';
import { OpusDecoder } from '../../src/codecs/OpusDecoder.js';
import { OpusEncoder } from '../../src/codecs/OpusEncoder.js';
import { Engine } from '../../src/engine/Engine.js';
import { sleep } from '../helpers/audio.js';
import { RtpTestClient } from '../helpers/RtpTestClient.js';

const RATE = 48000;
const FRAME = 960;
const BURST_SAMPLES = 240; // 5 ms
const LEAD_IN = 50 * FRAME; // 1 s of silence before the first burst
const SPACING = 35 * FRAME; // 700 ms between bursts
/** Where each burst starts inside its 20 ms packet, in samples: onsets early, mid and late in a packet. */
const OFFSETS = [0, 200, 430, 610, 850, 120, 520];

/** 1 s of silence, then 5 ms bursts of 1 kHz at -6 dBFS every 700 ms, then 600 ms of silence. */
function burstSignal(): { pcm: Int16Array; onsets: number[] } {
  const onsets = OFFSETS.map((o, k) => LEAD_IN + k * SPACING + o);
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

describe('mouth-to-ear latency through roomtone', () => {
  let engine: Engine | undefined;
  const clients: RtpTestClient[] = [];
  afterAll(async () => {
    for (const c of clients) await c.close();
    await engine?.close();
  });

  it('a burst A sends reaches B within 100 ms at zero network jitter (median)', async () => {
    engine = new Engine({ workers: 1, logging: 'silent' });
    const conf = await engine.createConference({ rate: RATE, intervalMs: 20, energyLevel: 50 });
    const a = await RtpTestClient.open({ seed: 101 });
    const b = await RtpTestClient.open({ seed: 202 });
    clients.push(a, b);
    const pa = await conf.addParticipant({ sdp: a.offer });
    const pb = await conf.addParticipant({ sdp: b.offer });
    a.connect(pa.sdp!);
    b.connect(pb.sdp!);

    const signal = burstSignal();
    const pcm = signal.pcm;
    // The detector's reading of the sent signal: within 3 samples of the true onsets. Measuring
    // both ends with it cancels its bias.
    const onsets = findOnsets(pcm);
    expect(onsets.map((o, k) => Math.abs(o - signal.onsets[k]) <= 3)).toEqual(signal.onsets.map(() => true));
    await sleep(200); // B's stream from roomtone is running before A starts
    const sent = await a.sendSignal(pcm);
    await sleep(400);
    const heard = b.decodeTimeline();
    const found = findOnsets(heard.pcm);
    expect(found.length, 'B hears every burst once').toBe(onsets.length);
    expect(sent.datagrams).toBe(sent.packets.length);

    const latencies: number[] = [];
    const rows: string[] = [];
    for (const [k, sA] of onsets.entries()) {
      const packetA = sent.packets[Math.floor(sA / FRAME)];
      const tA = packetA.sentMs[0] + ((sA % FRAME) / RATE) * 1000;
      const r = found[k];
      const slot = heard.slots.find((s) => s.startSample <= r && r < s.startSample + s.samples)!;
      expect(slot.packet, `burst ${k}: the packet carrying the onset was received, not concealed`).not.toBeNull();
      const tB = slot.packet!.arrivalMs + ((r - slot.startSample) / RATE) * 1000;
      const latency = tB - tA;
      latencies.push(latency);
      rows.push(
        `burst ${k}: onset at ${sA % FRAME}/${FRAME} of A's packet, ${r - slot.startSample}/${slot.samples} of B's; ` +
          `packet to packet ${(slot.packet!.arrivalMs - packetA.sentMs[0]).toFixed(1)} ms, mouth-to-ear ${latency.toFixed(1)} ms`,
      );
    }
    const stats = (await pa.stats())!;
    const hop = opusHopDelayMs(pcm, onsets);
    const sorted = [...latencies].sort((x, y) => x - y);
    const med = median(latencies);
    console.log(
      [
        ...rows,
        `latency A→roomtone→B (excl. A's packetisation): min ${sorted[0].toFixed(1)} / median ${med.toFixed(1)} / max ${sorted[sorted.length - 1].toFixed(1)} ms over ${latencies.length} bursts`,
        `  of which Opus codec delay ${hop.toFixed(1)} ms per hop × 2 = ${(2 * hop).toFixed(1)} ms; roomtone buffering, tick phase and processing ≈ ${(med - 2 * hop).toFixed(1)} ms (median)`,
        `  roomtone's inbound stream for A: target ${stats.inbound.targetMs} ms, jitter ${stats.inbound.jitterMs.toFixed(2)} ms, ` +
          `buffered ${stats.inbound.bufferedMs.toFixed(0)} ms, underruns ${stats.inbound.underruns}, shrinks ${stats.inbound.shrinks}, lost ${stats.inbound.lost}`,
      ].join('\n'),
    );
    for (const l of latencies) expect(l, 'causal: no burst is heard before it was sent').toBeGreaterThan(0);
    expect(med).toBeLessThanOrEqual(100);
  }, 30_000);
});
