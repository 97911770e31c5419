// Shared encoding with silence-aware decoding, end to end on the audio each client decodes:
// three talkers and a crowd of quiet listeners, every packet carrying its RFC 6464 level. The
// quiet packets are never decoded; listeners on the shared encode hear every talker, talkers
// hear the others but not themselves, and a talker who pauses comes back promptly and cleanly.
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { goertzelDb, sleep, tone } from '../helpers/audio.js';
import { seededRandom } from '../helpers/random.js';
import { RtpTestClient } from '../helpers/RtpTestClient.js';

const RATE = 48000;
const GATE = 50; // the conference's energyLevel: mean |sample| of a frame
// No tone is a low-order intermodulation product of the other two (440/660/990 would be: the
// codec noise of 440 + 990 peaks at -58 dBFS right on 660), so a talker's own frequency stays clear.
const TONES = [350, 1000, 2800];
const RESTARTER = 1; // the 1000 Hz talker pauses: 650 Hz from the nearest other tone, so 20 ms windows resolve it
const PAUSE_AT = 3; // s into its signal: 1 s of digital silence, then the tone again
const RESUME_AT = 4;
const SECONDS = 6.5;
const engine = new Engine({ workers: 1, logging: 'silent', media: { ports: { min: 31400, max: 31599 } } });
const clients: RtpTestClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await engine.close();
});

type Conference = Awaited<ReturnType<Engine['createConference']>>;
async function join(conf: Conference, seed: number) {
  const client = await RtpTestClient.open({ seed, audioLevels: true });
  clients.push(client);
  const p = await conf.addParticipant({ sdp: client.offer });
  client.connect(p.sdp!);
  return { client, p };
}

/** Uniform noise of ±`peak`: RMS peak/√3, far under the gate (and under its half while talking). */
function hiss(seed: number, seconds: number, peak = 12): Int16Array {
  const rand = seededRandom(seed);
  const out = new Int16Array(Math.round(RATE * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round((rand() * 2 - 1) * peak);
  return out;
}

/** A tone with a `from`..`to` s gap of digital silence, faded out and back in over 5 ms so the source itself has no click. */
function pausedTone(freq: number, seconds: number, from: number, to: number): Int16Array {
  const out = tone(freq, RATE, seconds);
  const fade = RATE / 200;
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    if (t >= from && t < to) out[i] = 0;
    const sinceEnd = (from * RATE - i) / fade; // fade-out over the last 5 ms before the gap
    const sinceStart = (i - to * RATE) / fade; // fade-in over the first 5 ms after it
    if (sinceEnd >= 0 && sinceEnd < 1) out[i] = Math.round(out[i] * (0.5 - 0.5 * Math.cos(Math.PI * sinceEnd)));
    if (sinceStart >= 0 && sinceStart < 1) out[i] = Math.round(out[i] * (0.5 - 0.5 * Math.cos(Math.PI * sinceStart)));
  }
  return out;
}

const ms = (n: number) => Math.round((RATE * n) / 1000);
const lastSecond = (pcm: Int16Array) => pcm.subarray(Math.max(0, pcm.length - RATE));

/**
 * Probe frequencies above the tones, between their harmonics and intermodulation products
 * (multiples of 50 Hz): only codec noise is there, -66 dB or less summed over 10 ms windows. A
 * click is broadband: a 1 ms burst of ±1000 noise added to the decoded audio reads -50 dB.
 */
const PROBES = [4375, 5225, 6175, 7425, 8875, 10525, 12275, 14125, 16025];
/** Broadband level outside the tones: summed power at the probes, in dB. */
function broadbandDb(pcm: Int16Array): number {
  let power = 0;
  for (const f of PROBES) power += 10 ** (goertzelDb(pcm, f, RATE) / 10);
  return 10 * Math.log10(power + 1e-20);
}

describe('shared mix correctness with RFC 6464 levels', () => {
  it('skips quiet packets, mixes every talker for the shared listeners and all but themselves for the talkers, and brings a paused talker back cleanly', async () => {
    const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: GATE });
    const talkers = [];
    for (let i = 0; i < TONES.length; i++) talkers.push(await join(conf, 50 + i));
    const listeners = [];
    for (let i = 0; i < 6; i++) listeners.push(await join(conf, 60 + i));

    // Listeners first: encoding a whole signal takes a while, and the talkers should start together.
    listeners.forEach((l, i) => void l.client.sendSignal(hiss(100 + i, SECONDS)).catch(() => {}));
    talkers.forEach((t, i) => i !== RESTARTER && void t.client.sendSignal(tone(TONES[i], RATE, SECONDS)).catch(() => {}));
    const restarterSent = talkers[RESTARTER].client.sendSignal(pausedTone(TONES[RESTARTER], SECONDS - 0.5, PAUSE_AT, RESUME_AT));
    const start = performance.now(); // the restarter's clock: it started last

    // Steady state: all three talking, 2.7 s into the restarter's signal.
    await sleep(PAUSE_AT * 1000 - 300);
    const { sharedEncoding, ticks } = await conf.stats();
    console.log(`shared encodes ${sharedEncoding.encoded}, reused ${sharedEncoding.reused}, ticks ${ticks}`);
    for (const [i, l] of listeners.entries()) {
      const heard = lastSecond(l.client.decoded());
      const levels = TONES.map((f) => goertzelDb(heard, f, RATE));
      const s = (await l.p.stats())!;
      console.log(`listener ${i}: ${levels.map((d, k) => `${TONES[k]} Hz ${d.toFixed(1)} dB`).join(', ')}; skipped ${s.inbound.skippedPackets}/${s.inbound.decoded + s.inbound.skippedPackets}, shared ${s.outbound.sharedPackets}/${s.outbound.packets}`);
      for (const [k, d] of levels.entries()) expect(d, `listener ${i} hears ${TONES[k]} Hz`).toBeGreaterThan(-30);
      expect(s.inbound.skippedPackets, `listener ${i}'s quiet packets are not decoded`).toBeGreaterThan(100);
      expect(s.inbound.decoded, `listener ${i}: nothing decoded`).toBeLessThan(5);
      expect(s.outbound.sharedPackets, `listener ${i} is on the shared encode`).toBeGreaterThan(0.9 * s.outbound.packets);
      expect(s.outbound.packets).toBeGreaterThan(100);
    }
    for (const [i, t] of talkers.entries()) {
      const heard = lastSecond(t.client.decoded());
      const levels = TONES.map((f) => goertzelDb(heard, f, RATE));
      const s = (await t.p.stats())!;
      console.log(`talker ${TONES[i]} Hz: ${levels.map((d, k) => `${TONES[k]} Hz ${d.toFixed(1)} dB`).join(', ')}; skipped ${s.inbound.skippedPackets}, decoded ${s.inbound.decoded}, shared ${s.outbound.sharedPackets}/${s.outbound.packets}`);
      for (const [k, d] of levels.entries()) {
        if (k === i) expect(d, `talker ${TONES[i]} Hz does not hear itself`).toBeLessThan(-60);
        else expect(d, `talker ${TONES[i]} Hz hears ${TONES[k]} Hz`).toBeGreaterThan(-30);
      }
      expect(s.inbound.skippedPackets, `talker ${TONES[i]} Hz: its packets are decoded`).toBeLessThanOrEqual(2);
      expect(s.inbound.decoded).toBeGreaterThan(100);
    }
    expect(sharedEncoding.reused / sharedEncoding.encoded, 'six listeners share one encode').toBeGreaterThan(4);

    // The pause and the restart; then look at what the listeners heard.
    const report = await restarterSent;
    await sleep(300);
    const resumeIndex = Math.round((RESUME_AT * RATE) / 960);
    const resumeSentMs = report.packets[resumeIndex].sentMs[0];
    console.log(`restarter: resume packet sent ${(resumeSentMs - start).toFixed(0)} ms after its first`);
    const rs = (await talkers[RESTARTER].p.stats())!;
    console.log(`restarter: skipped ${rs.inbound.skippedPackets}, silent ${rs.inbound.silentPackets}, decoded ${rs.inbound.decoded}`);
    expect(rs.inbound.skippedPackets + rs.inbound.silentPackets, 'its pause was not decoded').toBeGreaterThan(40);

    const f = TONES[RESTARTER];
    const hop = ms(5);
    for (const [i, l] of listeners.entries()) {
      const timeline = l.client.decodeTimeline();
      const pcm = timeline.pcm;
      // In 20 ms windows 5 ms apart, from a second after the tone was first heard: the pause, a
      // run of at least 500 ms where the tone is gone; the resume, the first window after it
      // where the tone is back.
      const level = (at: number) => goertzelDb(pcm.subarray(at, at + ms(20)), f, RATE);
      let from = 0;
      while (from + ms(20) <= pcm.length && level(from) < -20) from += hop;
      let quiet = 0;
      let resume = -1;
      for (let at = from + RATE; at + ms(20) <= pcm.length; at += hop) {
        const d = level(at);
        if (d < -50) quiet++;
        else if (quiet < 100) quiet = 0;
        else if (d > -40) {
          resume = at + ms(20); // the window's end: the onset lies within it
          break;
        }
      }
      expect(resume, `listener ${i}: the pause and the resume are both there`).toBeGreaterThan(0);
      const slot = timeline.slots.find((s) => s.startSample + s.samples > resume && s.packet !== null)!;
      const latency = slot.packet!.arrivalMs - resumeSentMs;
      // 100 ms after the resume against a steady second a little before the pause.
      const after = pcm.subarray(resume, resume + ms(100));
      const steadyEnd = resume - ms(1300);
      const steady = pcm.subarray(steadyEnd - RATE, steadyEnd);
      const toneAfter = goertzelDb(after, f, RATE);
      const toneSteady = goertzelDb(steady, f, RATE);
      let worst = -Infinity;
      for (let at = resume - ms(20); at + ms(10) <= resume + ms(100); at += hop) worst = Math.max(worst, broadbandDb(pcm.subarray(at, at + ms(10))));
      const steadyLevels: number[] = [];
      for (let at = steadyEnd - RATE; at + ms(10) <= steadyEnd; at += hop) steadyLevels.push(broadbandDb(pcm.subarray(at, at + ms(10))));
      steadyLevels.sort((a, b) => a - b);
      const steadyWorst = steadyLevels[steadyLevels.length - 1];
      const steadyMedian = steadyLevels[steadyLevels.length >> 1];
      console.log(
        `listener ${i}: ${f} Hz back ${latency.toFixed(0)} ms after its packet left; first 100 ms ${toneAfter.toFixed(1)} dB (steady ${toneSteady.toFixed(1)}); ` +
          `broadband around the resume: worst ${worst.toFixed(1)} dB, steady median ${steadyMedian.toFixed(1)}, steady worst ${steadyWorst.toFixed(1)}`,
      );
      expect(latency, `listener ${i} hears the restart promptly`).toBeLessThan(400);
      expect(toneAfter, `listener ${i}: the restarted tone is there from the start`).toBeGreaterThan(toneSteady - 6);
      // 6 dB over the steady worst, but never under -60 dB: how clean the steady part is depends
      // on the codec's mode (SILK/hybrid leaves about -66 dB at the probes, CELT under -85).
      expect(worst, `listener ${i}: no click at the resume`).toBeLessThan(Math.max(steadyWorst + 6, -60));
    }
  }, 30_000);
});
