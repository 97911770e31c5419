import type { AudioDecoder } from './AudioDecoder.js';
import type { AudioEncoder } from './AudioEncoder.js';
import { OpusDecoder } from './OpusDecoder.js';
import { OpusEncoder, type OpusEncoderSettings } from './OpusEncoder.js';
import { createOpusPacketInfo, parseOpusPacket } from './opusPacket.js';

export type { OpusEncoderSettings };

const RATE = 48000;

/** Opus for an inbound stream. Packets of one or two bytes are DTX: silence, not loss (RFC 7587 §3.4). */
export class OpusStreamDecoder implements AudioDecoder {
  readonly name = 'opus';
  readonly clockRate = RATE;
  readonly rtpClockRate = RATE;
  readonly #decoder = new OpusDecoder();
  readonly #info = createOpusPacketInfo();

  decode(payload: Uint8Array): Int16Array | null {
    return this.#decoder.decode(payload);
  }

  conceal(): Int16Array {
    return this.#decoder.conceal();
  }

  isSilence(payload: Uint8Array): boolean {
    return payload.length <= 2;
  }

  samplesOf(payload: Uint8Array): number {
    return parseOpusPacket(payload, this.#info) === null ? this.#info.totalSamples48k : 0;
  }

  reset(): void {
    this.#decoder.reset();
  }
}

/** Opus for an outbound stream: 48 kHz mono. */
export class OpusStreamEncoder implements AudioEncoder {
  readonly name = 'opus';
  readonly clockRate = RATE;
  readonly rtpClockRate = RATE;
  readonly ptimes = [10, 20, 40, 60] as const;
  readonly #encoder: OpusEncoder;

  constructor(settings: OpusEncoderSettings) {
    this.#encoder = new OpusEncoder(settings);
  }

  encode(pcm: Int16Array): Uint8Array {
    return this.#encoder.encode(pcm);
  }
}
