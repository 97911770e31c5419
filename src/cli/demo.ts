import { Engine } from '../engine/Engine.js';
import { MemoryPort } from '../ports/MemoryPort.js';

export interface DemoOptions {
  seconds: number;
  participants: number;
  workers?: number;
}

/** A synthetic speech-like burst pattern: tone bursts with pauses, different per talker. */
function talkerSignal(index: number, rate: number, seconds: number): Int16Array {
  const out = new Int16Array(rate * seconds);
  const freq = 220 + 110 * index;
  const burst = (1.2 + 0.4 * index) * rate;
  for (let i = 0; i < out.length; i++) {
    const on = Math.floor((i + index * 0.7 * rate) / burst) % 3 === 0;
    out[i] = on ? Math.round(6000 * Math.sin((2 * Math.PI * freq * i) / rate)) : 0;
  }
  return out;
}

/**
 * Runs one conference of synthetic talkers for a while and prints its events and clock
 * figures: a smoke test of the engine on this machine with nothing else installed.
 */
export async function runDemo(opts: DemoOptions): Promise<void> {
  const engine = new Engine({ workers: opts.workers });
  const conf = await engine.createConference({ id: 'demo', rate: 48000, intervalMs: 20 });
  console.log(`conference ${conf.id}: ${opts.participants} participants, ${opts.seconds} s, workers: ${engine.workers}`);
  const ports: MemoryPort[] = [];
  for (let i = 0; i < opts.participants; i++) {
    const port = conf.createMemoryPort(opts.seconds * 50 + 50);
    port.writeSignal(talkerSignal(i, 48000, opts.seconds));
    ports.push(port);
    await conf.addParticipant({ port });
  }
  conf.on('start-talking', (e) => console.log(`  participant ${e.participantId} started talking (energy ${e.energy})`));
  conf.on('stop-talking', (e) => console.log(`  participant ${e.participantId} stopped talking`));
  conf.on('floor-change', (e) => console.log(`  floor: ${e.previous ?? 'nobody'} -> ${e.participantId ?? 'nobody'}`));
  for (let s = 1; s <= opts.seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    const stats = await conf.stats();
    for (const p of ports) p.readAll();
    console.log(
      `[${s}s] ticks ${stats.ticks}, skipped ${stats.skipped}, tick mean ${(stats.meanTickMs * 1000).toFixed(0)} µs, max late ${stats.maxLateMs.toFixed(1)} ms`,
    );
  }
  const [host] = await engine.hostStats();
  const l = host.scheduler.lateness;
  console.log(`clock lateness p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(2)} ms`);
  await engine.close();
}
