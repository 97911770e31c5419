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

type Encode = (pcm: Int16Array, out: Uint8Array) => number;
type Decode = (payload: Uint8Array, out: Int16Array) => number;

const encoder =
  (fn: (pcm: Int16Array, out: Uint8Array) => void): Encode =>
  (pcm, out) => {
    checkEncode(pcm, out);
    fn(pcm, out);
    return pcm.length;
  };

const decoder =
  (fn: (payload: Uint8Array, out: Int16Array) => void): Decode =>
  (payload, out) => {
    checkDecode(payload, out);
    fn(payload, out);
    return payload.length;
  };

/** Encodes `pcm` into the first pcm.length bytes of `out`. Returns the byte count. */
export const encodeUlaw: Encode = encoder(native.encodeUlaw);
/** Decodes `payload` into the first payload.length samples of `out`. Returns the sample count. */
export const decodeUlaw: Decode = decoder(native.decodeUlaw);
/** Encodes `pcm` into the first pcm.length bytes of `out`. Returns the byte count. */
export const encodeAlaw: Encode = encoder(native.encodeAlaw);
/** Decodes `payload` into the first payload.length samples of `out`. Returns the sample count. */
export const decodeAlaw: Decode = decoder(native.decodeAlaw);
