// What a caller hands the engine to connect media, in a form that can cross to a media
// worker (plain data and shared memory), and the factories that open them on the far side.
import { InvalidArgumentError } from '../errors.js';
import type { FrameFormat } from '../mixing/FrameFormat.js';
import type { MemoryPortSpec } from './MemoryPort.js';
import { MemoryPortRuntime } from './MemoryPortRuntime.js';
import type { FrameSource, PcmPort } from './PcmPort.js';
import { RingSource, type RingSourceSpec } from './RingSource.js';

export type PortSpec = MemoryPortSpec;
export type SourceSpec = RingSourceSpec;

export function openPort(spec: PortSpec, format: FrameFormat): PcmPort {
  switch (spec?.kind) {
    case 'memory':
      checkSamples('port', spec.input.samples, format);
      checkSamples('port', spec.output.samples, format);
      return new MemoryPortRuntime(spec);
    default:
      throw new InvalidArgumentError('port', 'has an unknown kind');
  }
}

export function openSource(spec: SourceSpec, format: FrameFormat): FrameSource {
  switch (spec?.kind) {
    case 'ring':
      checkSamples('source', spec.ring.samples, format);
      return new RingSource(spec);
    default:
      throw new InvalidArgumentError('source', 'has an unknown kind');
  }
}

function checkSamples(field: string, samples: number, format: FrameFormat): void {
  if (samples !== format.samples) {
    throw new InvalidArgumentError(field, `frames must hold ${format.samples} samples (the conference's rate x interval)`);
  }
}
