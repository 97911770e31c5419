import type { Bench } from 'tinybench';
import { ConferenceRuntime } from '../src/conference/ConferenceRuntime.js';
import { resolveConferenceOptions } from '../src/conference/ConferenceOptions.js';
import type { PcmPort } from '../src/ports/PcmPort.js';
import { ENERGY_LEVEL, noiseFrame, talkerFrame } from './scenes.js';

/** A port that says the same frame every tick and discards what it hears. */
class LoopPort implements PcmPort {
  constructor(private readonly frame: Int16Array) {}
  readFrame(dst: Int16Array): boolean {
    dst.set(this.frame);
    return true;
  }
  writeFrame(): void {}
  close(): void {}
}

/** A whole conference tick: ports, kernel, output delivery, talk detection and floor. */
export function addTickCases(bench: Bench, sizes: number[], talkers: number): string[] {
  const names: string[] = [];
  for (const n of sizes) {
    const conf = new ConferenceRuntime('bench', resolveConferenceOptions({ energyLevel: ENERGY_LEVEL }), () => {});
    for (let i = 0; i < n; i++) conf.addParticipant(i + 1, new LoopPort(i < talkers ? talkerFrame(i) : noiseFrame(i + 1)));
    let frame = 0;
    const name = `conference tick N=${n} T=${talkers}`;
    bench.add(name, () => {
      conf.tick(frame++, 0);
      conf.drainEvents();
    });
    names.push(name);
  }
  return names;
}
