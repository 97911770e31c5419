// Shared encoding and forwarding: listeners on the shared mix get one encode per tick between
// them, a listener who hears one participant alone gets that participant's own packets, all
// still hear the right audio, and moving between any two of these sources leaves no gap.
import { afterAll, describe, expect, it } from 'vitest';
import { OpusEncoder } from '../../src/codecs/OpusEncoder.js';
import { Engine } from '../../src/engine/Engine.js';
import { goertzelDb, sleep, tone } from '../helpers/audio.js';
import { RtpTestClient } from '../helpers/RtpTestClient.js';

const RATE = 48000;
const engine = new Engine({ workers: 1, logging: 'silent', media: { ports: { min: 31200, max: 31399 } } });
const clients: RtpTestClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await engine.close();
});

async function join(conf: Awaited<ReturnType<Engine['createConference']>>, seed: number) {
  const client = await RtpTestClient.open({ seed });
  clients.push(client);
  const p = await conf.addParticipant({ sdp: client.offer });
  client.connect(p.sdp!);
  return { client, p };
}

/** Talk bursts: `on` ms of a tone, `off` ms of silence, repeated to `seconds`. */
function bursts(freq: number, seconds: number, on: number, off: number): Int16Array {
  const out = tone(freq, RATE, seconds);
  const period = ((on + off) * RATE) / 1000;
  for (let i = 0; i < out.length; i++) if (i % period >= (on * RATE) / 1000) out[i] = 0;
  return out;
}

describe('shared encoding', () => {
  it('forwards a lone talker\'s packets, encodes the mix of two once per tick for every listener on it, and no talker hears itself', async () => {
    const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });
    const first = await join(conf, 1);
    const second = await join(conf, 2);
    const listeners = [];
    for (let i = 0; i < 6; i++) listeners.push(await join(conf, 10 + i));
    void first.client.sendSignal(tone(523, RATE, 6)).catch(() => {});
    await sleep(2500);
    // One talker: everyone else is sent its own packets, and it hears nobody: the codec's
    // constant silence packet, with no encode at all.
    const lone = (await first.p.stats())!.outbound;
    expect(lone.sharedPackets).toBeGreaterThan(0.9 * lone.packets);
    for (const l of listeners) {
      const out = (await l.p.stats())!.outbound;
      expect(out.forwardedPackets).toBeGreaterThan(0.7 * out.packets);
    }
    const before = await conf.stats();
    void second.client.sendSignal(tone(659, RATE, 3)).catch(() => {});
    await sleep(2500);
    const after = await conf.stats();
    const encoded = after.sharedEncoding.encoded - before.sharedEncoding.encoded;
    const reused = after.sharedEncoding.reused - before.sharedEncoding.reused;
    const ticks = after.ticks - before.ticks;
    console.log(`two talkers: shared encodes ${encoded}, reused ${reused}, ticks ${ticks}`);
    expect(encoded).toBeLessThanOrEqual(ticks);
    expect(reused / encoded).toBeGreaterThan(4.5); // 6 listeners: 1 encode + 5 reuses
    const last = (c: RtpTestClient) => {
      const heard = c.decoded();
      return heard.subarray(heard.length - RATE);
    };
    for (const l of listeners) {
      expect(goertzelDb(last(l.client), 523, RATE)).toBeGreaterThan(-30);
      expect(goertzelDb(last(l.client), 659, RATE)).toBeGreaterThan(-30);
    }
    expect(goertzelDb(last(first.client), 659, RATE)).toBeGreaterThan(-30);
    expect(goertzelDb(last(first.client), 523, RATE), 'a talker does not hear itself').toBeLessThan(-60);
    expect(goertzelDb(last(second.client), 523, RATE)).toBeGreaterThan(-30);
    expect(goertzelDb(last(second.client), 659, RATE), 'a talker does not hear itself').toBeLessThan(-60);
  }, 20_000);

  // Each case: who talks (a steady 784 Hz the measured participant listens to, other steady
  // talkers, one who talks in bursts), and which two sources of its packets it moves between.
  const SWITCHES = [
    {
      name: 'the shared and a personal encode',
      // The switcher hears 784 + 1200 Hz: its own encode while it talks, the shared one between.
      steady: [784, 1200], bursts: 330, measured: 'burster',
      expects: { shared: 50, personal: 50, forwarded: -1 },
    },
    {
      name: 'a forwarded packet and the shared encode',
      // A silent listener hears 784 Hz alone (the speaker's own packets) or with the bursts (shared).
      steady: [784], bursts: 330, measured: 'listener',
      expects: { shared: 50, personal: -1, forwarded: 50 },
    },
    {
      name: 'a forwarded packet and a personal encode',
      // A steady talker at 1500 Hz hears 784 Hz alone (forwarded) or with the bursts (its own encode).
      steady: [784, 1500], bursts: 330, measured: 'second steady talker',
      expects: { shared: -1, personal: 50, forwarded: 50 },
    },
  ] as const;

  for (const c of SWITCHES) {
    it(`switching between ${c.name} leaves the decoded audio continuous`, async () => {
      const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });
      const steady = [];
      for (const [k, freq] of c.steady.entries()) {
        const member = await join(conf, 30 + k);
        void member.client.sendSignal(tone(freq, RATE, 6)).catch(() => {});
        steady.push(member);
      }
      const burster = await join(conf, 40);
      void burster.client.sendSignal(bursts(c.bursts, 6, 300, 500)).catch(() => {});
      const listener = await join(conf, 41);
      await sleep(5000);
      const measured = c.measured === 'burster' ? burster : c.measured === 'listener' ? listener : steady[1];
      const out = (await measured.p.stats())!.outbound;
      const personal = out.packets - out.sharedPackets - out.forwardedPackets;
      console.log(`${c.measured}: ${out.packets} packets, ${out.sharedPackets} shared, ${out.forwardedPackets} forwarded, ${personal} own encode`);
      const counts = { shared: out.sharedPackets, personal, forwarded: out.forwardedPackets };
      for (const k of ['shared', 'personal', 'forwarded'] as const) {
        if (c.expects[k] < 0) expect(counts[k], k).toBeLessThan(5);
        else expect(counts[k], k).toBeGreaterThan(c.expects[k]);
      }
      if (out.forwardedPackets > 0) {
        // Forwarded means the speaker's own bytes: the same encoder settings make the same packets.
        const encoder = new OpusEncoder({ bitrate: 32000, complexity: 5 });
        const signal = tone(784, RATE, 6);
        const sent = new Set<string>();
        for (let at = 0; at + 960 <= signal.length; at += 960) sent.add(Buffer.from(encoder.encode(signal.subarray(at, at + 960))).toString('hex'));
        const same = measured.client.received.filter((r) => sent.has(r.payload.toString('hex'))).length;
        expect(same).toBeGreaterThan(0.9 * out.forwardedPackets);
      }
      // Roomtone's stream: no sequence gap, and the 784 Hz tone never drops out.
      const heard = measured.client.decoded().subarray(RATE); // after the first second
      const window = RATE / 200; // 5 ms
      let worst = 0;
      for (let at = 0; at + window * 4 <= heard.length - RATE / 2; at += window) {
        worst = Math.min(worst, goertzelDb(heard.subarray(at, at + window * 4), 784, RATE) - goertzelDb(heard, 784, RATE));
      }
      console.log(`784 Hz in 20 ms windows across switches: worst ${worst.toFixed(1)} dB below its mean`);
      expect(worst).toBeGreaterThan(-10);
    }, 20_000);
  }
});
