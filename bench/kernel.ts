import type { Bench } from 'tinybench';
import { MixKernel, type Kernel } from '../src/mixing/MixKernel.js';
import { ReferenceKernel } from '../test/mixing/ReferenceKernel.js';
import { FORMAT, kernelScene } from './scenes.js';

export interface KernelCase {
  name: string;
  impl: 'native' | 'reference';
  participants: number;
  talkers: number;
}

export function addKernelCases(bench: Bench, sizes: number[], talkers: number): KernelCase[] {
  const cases: KernelCase[] = [];
  for (const n of sizes) {
    for (const impl of ['native', 'reference'] as const) {
      const kernel: Kernel = impl === 'native' ? new MixKernel(FORMAT) : new ReferenceKernel(FORMAT);
      kernel.configure({ topK: 8, comfortNoise: 0 });
      const buffers = kernelScene(n, talkers);
      const name = `kernel ${impl} N=${n} T=${talkers}`;
      bench.add(name, () => {
        kernel.mix(buffers, n, false);
      });
      cases.push({ name, impl, participants: n, talkers });
    }
  }
  return cases;
}
