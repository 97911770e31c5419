// G.711 mu-law and A-law (ITU-T G.711, the Sun reference algorithms) behind validated
// arguments. The tables live in native/codecs/g711.cc; nothing here allocates.
import { InvalidArgumentError } from '../errors.js';
import { native } from '../native/binding.js';

function checkEncode(pcm: Int16Array, out: Uint8Array): void {
  if (!(pcm instanceof Int16Array)) throw new InvalidArgumentError('pcm', 'must be an Int16Array');
  if (!(out instanceof Uint8Array)) throw new InvalidArgumentError('out', 'must be a Uint8Array');
  if (out.length < pcm.length) throw new InvalidArgumentError('out', `must hold at least ${pcm.length} bytes`);
}

function checkDecode(payload: Uint8Array, out: Int16Array): void {
  if (!(payload instanceof Uint8Array)) throw new InvalidArgumentError('payload', 'must be a Uint8Array');
  if (!(out instanceof Int16Array)) throw new InvalidArgumentError('out', 'must be an Int16Array');
  if (out.length < payload.length) throw new InvalidArgumentError('out', `must hold at least ${payload.length} samples`);
}

/** Encodes `pcm` into the first pcm.length bytes of `out`. Returns the byte count. */
export function encodeUlaw(pcm: Int16Array, out: Uint8Array): number {
  checkEncode(pcm, out);
  native.encodeUlaw(pcm, out);
  return pcm.length;
}

/** Decodes `payload` into the first payload.length samples of `out`. Returns the sample count. */
export function decodeUlaw(payload: Uint8Array, out: Int16Array): number {
  checkDecode(payload, out);
  native.decodeUlaw(payload, out);
  return payload.length;
}

/** Encodes `pcm` into the first pcm.length bytes of `out`. Returns the byte count. */
export function encodeAlaw(pcm: Int16Array, out: Uint8Array): number {
  checkEncode(pcm, out);
  native.encodeAlaw(pcm, out);
  return pcm.length;
}

/** Decodes `payload` into the first payload.length samples of `out`. Returns the sample count. */
export function decodeAlaw(payload: Uint8Array, out: Int16Array): number {
  checkDecode(payload, out);
  native.decodeAlaw(payload, out);
  return payload.length;
}
