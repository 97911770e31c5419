// Shared encoding: listeners on the shared mix get one encode per tick between them, still
// hear the right audio, and moving between the shared and a personal encode leaves no gap.
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { goertzelDb, sleep, tone } from '../helpers/audio.js';
import { RtpTestClient } from '../helpers/RtpTestClient.js';

const RATE = 48000;
const engine = new Engine({ workers: 1, logging: 'silent', media: { ports: { min: 33200, max: 33399 } } });
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
  it('encodes the shared mix once per tick for every listener on it; each hears the talker, the talker not itself', async () => {
    const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });
    const talker = await join(conf, 1);
    const listeners = [];
    for (let i = 0; i < 6; i++) listeners.push(await join(conf, 10 + i));
    void talker.client.sendSignal(tone(523, RATE, 4)).catch(() => {});
    await sleep(2500);
    const { sharedEncoding, ticks } = await conf.stats();
    console.log(`shared encodes ${sharedEncoding.encoded}, reused ${sharedEncoding.reused}, ticks ${ticks}`);
    expect(sharedEncoding.encoded).toBeLessThanOrEqual(ticks);
    expect(sharedEncoding.reused / sharedEncoding.encoded).toBeGreaterThan(4.5); // 6 listeners: 1 encode + 5 reuses
    for (const l of listeners) {
      const heard = l.client.decoded();
      expect(goertzelDb(heard.subarray(heard.length - RATE), 523, RATE)).toBeGreaterThan(-30);
    }
    const own = talker.client.decoded();
    expect(goertzelDb(own.subarray(own.length - RATE), 523, RATE), 'the talker does not hear itself').toBeLessThan(-60);
    // The lone talker hears nobody: its packets are the codec's constant silence packet, sent
    // without an encode of its own.
    const talkerStats = (await talker.p.stats())!;
    expect(talkerStats.outbound.sharedPackets).toBeGreaterThan(0.9 * talkerStats.outbound.packets);
    expect(sharedEncoding.silent).toBeGreaterThan(0.9 * talkerStats.outbound.packets);
  }, 20_000);

  it('switching between the shared and a personal encode leaves the decoded audio continuous', async () => {
    const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });
    const speaker = await join(conf, 30); // steady 784 Hz: what the switcher listens to
    const switcher = await join(conf, 31); // talks in bursts: personal while talking, shared between
    await join(conf, 32);
    void speaker.client.sendSignal(tone(784, RATE, 6)).catch(() => {});
    void switcher.client.sendSignal(bursts(330, 6, 300, 500)).catch(() => {});
    await sleep(5000);
    const stats = (await switcher.p.stats())!;
    console.log(`switcher: ${stats.outbound.packets} packets, ${stats.outbound.sharedPackets} from the shared encode`);
    expect(stats.outbound.sharedPackets).toBeGreaterThan(50);
    expect(stats.outbound.packets - stats.outbound.sharedPackets).toBeGreaterThan(50);
    // Roomtone's stream to the switcher: no sequence gap, and the 784 Hz tone never drops out.
    const heard = switcher.client.decoded().subarray(RATE); // after the first second
    const window = RATE / 200; // 5 ms
    let worst = 0;
    for (let at = 0; at + window * 4 <= heard.length - RATE / 2; at += window) {
      worst = Math.min(worst, goertzelDb(heard.subarray(at, at + window * 4), 784, RATE) - goertzelDb(heard, 784, RATE));
    }
    console.log(`784 Hz in 20 ms windows across switches: worst ${worst.toFixed(1)} dB below its mean`);
    expect(worst).toBeGreaterThan(-10);
  }, 20_000);
});
