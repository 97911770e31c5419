import type { AudioDecoder } from './AudioDecoder.js';
import type { AudioEncoder } from './AudioEncoder.js';
import { G711Concealer } from './G711Concealer.js';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from './g711.js';

export type G711Law = 'PCMU' | 'PCMA';

const RATE = 8000;
const MAX_PACKET = 960; // 120 ms

/** G.711 for an inbound stream: table decode, repeat-with-fade concealment. */
export class G711Decoder implements AudioDecoder {
  readonly clockRate = RATE;
  readonly rtpClockRate = RATE;
  readonly #decode: typeof decodeUlaw;
  readonly #out = new Int16Array(MAX_PACKET);
  readonly #concealer = new G711Concealer();
  #frame = this.#out.subarray(0, 160);
  #concealFrame = new Int16Array(160);

  readonly name: G711Law;

  constructor(law: G711Law) {
    this.name = law;
    this.#decode = law === 'PCMU' ? decodeUlaw : decodeAlaw;
  }

  decode(payload: Uint8Array): Int16Array | null {
    if (payload.length === 0 || payload.length > MAX_PACKET) return null;
    if (payload.length !== this.#frame.length) {
      this.#frame = this.#out.subarray(0, payload.length);
      this.#concealFrame = new Int16Array(payload.length);
    }
    this.#decode(payload, this.#frame);
    this.#concealer.onGoodFrame(this.#frame);
    return this.#frame;
  }

  conceal(): Int16Array {
    this.#concealer.conceal(this.#concealFrame);
    return this.#concealFrame;
  }

  isSilence(): boolean {
    return false;
  }

  samplesOf(payload: Uint8Array): number {
    return payload.length;
  }

  reset(): void {
    this.#concealer.reset();
  }
}

/** G.711 for an outbound stream. */
export class G711Encoder implements AudioEncoder {
  readonly clockRate = RATE;
  readonly rtpClockRate = RATE;
  readonly ptimes = [10, 20, 30, 40, 50, 60] as const;
  readonly #encode: typeof encodeUlaw;
  #out = new Uint8Array(160);

  readonly name: G711Law;

  constructor(law: G711Law) {
    this.name = law;
    this.#encode = law === 'PCMU' ? encodeUlaw : encodeAlaw;
  }

  encode(pcm: Int16Array): Uint8Array {
    if (this.#out.length !== pcm.length) this.#out = new Uint8Array(pcm.length);
    this.#encode(pcm, this.#out);
    return this.#out;
  }
}
