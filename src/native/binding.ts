// The one module that loads the native addon. Everything else imports these typed handles,
// through the validating wrappers in src/mixing and src/codecs.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectRoot } from '../util/projectRoot.js';

/** Buffers one conference's kernel reads and writes; see src/mixing/MixBuffers.ts. */
export interface KernelBuffers {
  capacity: number;
  input: Int16Array;
  output: Int16Array;
  inject: Int16Array;
  confInject: Int16Array;
  flags: Uint8Array;
  inGain: Int32Array;
  outGain: Int32Array;
  threshold: Int32Array;
  coachOf: Int32Array;
  exOffsets: Uint32Array;
  exList: Uint32Array;
  energy: Int32Array;
  peak: Int32Array;
  mixed: Uint8Array;
  mode: Uint8Array;
  limiterGain: Int32Array;
  sole: Int32Array;
}

export interface NativeMixKernel {
  bind(buffers: KernelBuffers): void;
  settings(topK: number, comfortNoise: number): void;
  limiter(threshold: number, releaseQ16: number): void;
  seed(seed: number): void;
  mix(count: number, confInject: boolean): number;
}

export interface NativeResampler {
  process(input: Int16Array, output: Int16Array): void;
  reset(): void;
  tapsPerPhase(): number;
}

/** See native/net/udp_receiver.h. add/remove return 0 or an errno. */
export interface NativeUdpReceiver {
  add(fd: number, slot: number): number;
  remove(fd: number): number;
  /** Records are [slot, IPv4 (host order), port, length] × count; datagram i is at arena[i × 1500]. */
  drain(arena: Uint8Array, records: Int32Array, arrivalMs: Float64Array, maxPackets: number, perSocket: number): number;
  /** [errors, lastErrno] */
  stats(): [number, number];
  close(): void;
}

/** libopus's encoder; see native/bindings/opus_binding.h. Returns bytes written or a negative libopus error. */
export interface NativeOpusEncoder {
  encode(pcm: Int16Array, out: Uint8Array): number;
  /** An integer setter (OPUS_SET_*) or OPUS_RESET_STATE; returns the libopus status. */
  ctl(request: number, value: number): number;
}

/** libopus's decoder: samples per channel written to `out`, or a negative libopus error. */
export interface NativeOpusDecoder {
  decode(packet: Uint8Array, out: Int16Array): number;
  reset(): void;
}

export interface NativeAddon {
  MixKernel: new (samples: number, subLen: number, maxTopK: number) => NativeMixKernel;
  OpusEncoder: new (rate: number, channels: 1 | 2) => NativeOpusEncoder;
  OpusDecoder: new (rate: number, channels: 1 | 2) => NativeOpusDecoder;
  Resampler: new (inRate: number, outRate: number, maxInput: number) => NativeResampler;
  encodeUlaw(pcm: Int16Array, payload: Uint8Array): void;
  decodeUlaw(payload: Uint8Array, pcm: Int16Array): void;
  encodeAlaw(pcm: Int16Array, payload: Uint8Array): void;
  decodeAlaw(payload: Uint8Array, pcm: Int16Array): void;
  monotonicNow(out: Float64Array): void;
  /** Blocks until the monotonicNow clock reads deadline[0] ms (returns at once when past; at most 20 ms). */
  sleepUntil(deadline: Float64Array): void;
  /** Records are [fd, IPv4 (host order), port, offset, length] × count; errors[i] = 0 or errno. */
  sendUdpBatch(arena: Uint8Array, records: Int32Array, count: number, errors: Int32Array): number;
  UdpReceiver: new () => NativeUdpReceiver;
}

const require = createRequire(import.meta.url);

export const native: NativeAddon = require(join(projectRoot(), 'build', 'Release', 'roomtone.node'));
