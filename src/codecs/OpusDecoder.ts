// One Opus decoder per inbound stream, always producing 48 kHz mono (libopus downmixes stereo
// packets). Every packet is validated by the RFC 6716 parser before libopus sees it; a bad
// packet is a counted drop (null + lastError), never an exception.
import { InvalidArgumentError } from '../errors.js';
import { createOpusDecoder } from './opusBinding.js';
import { createOpusPacketInfo, parseOpusPacket, type OpusPacketError, type OpusPacketInfo } from './opusPacket.js';

/** Why decode() returned null: the parser's reason, or 'decoder' when libopus refused the packet. */
export type OpusDecodeError = OpusPacketError | 'decoder';

export const OPUS_DECODE_RATE = 48000;
/** What conceal() produces before any packet was decoded: 20 ms of silence. */
const DEFAULT_FRAME_SAMPLES = 960;

export class OpusDecoder {
  readonly #native = createOpusDecoder(OPUS_DECODE_RATE, 1);
  readonly #info: OpusPacketInfo = createOpusPacketInfo();
  /** The 1-byte packet conceal() hands libopus: the last TOC with code 0 and no frame data. */
  readonly #tocOnly = new Uint8Array(1);
  /** What libopus writes into: 20 ms, grown to the longest packet seen (at most 120 ms). */
  #out = new Int16Array(DEFAULT_FRAME_SAMPLES);
  /** Views of #out by sample count, so that returning a frame allocates nothing. */
  #views: Int16Array[] = [];
  #lastToc = -1;
  #lastFrameSamples = DEFAULT_FRAME_SAMPLES;
  #lastError: OpusDecodeError | null = null;
  #decodedPackets = 0;
  #decodedSamples = 0;
  #concealedFrames = 0;
  #droppedPackets = 0;

  /**
   * Decodes one packet to 48 kHz mono. A multi-frame packet yields all its frames' samples.
   * Returns null for a packet that must be dropped (see lastError). The samples are in this
   * decoder's own buffer: valid until its next decode or conceal, so a caller that keeps
   * them copies them.
   */
  decode(packet: Uint8Array): Int16Array | null {
    if (!(packet instanceof Uint8Array)) throw new InvalidArgumentError('packet', 'must be a Uint8Array or Buffer');
    const error = parseOpusPacket(packet, this.#info);
    if (error !== null) return this.#drop(error);
    if (this.#info.totalSamples48k > this.#out.length) {
      this.#out = new Int16Array(this.#info.totalSamples48k);
      this.#views = [];
    }
    const samples = this.#native.decode(packet, this.#out);
    if (samples < 0) return this.#drop('decoder');
    this.#lastToc = packet[0];
    this.#lastFrameSamples = this.#info.samplesPerFrame48k;
    this.#lastError = null;
    this.#decodedPackets++;
    this.#decodedSamples += samples;
    return this.#view(samples);
  }

  /**
   * Conceals one lost frame: exactly one frame of the last packet's frame duration (libopus
   * PLC, by decoding a packet that holds only that packet's TOC byte). Before any packet was
   * decoded it returns 20 ms of zeros. Valid until the next decode or conceal, as decode's.
   */
  conceal(): Int16Array {
    this.#concealedFrames++;
    if (this.#lastToc < 0) return this.#silence(DEFAULT_FRAME_SAMPLES);
    this.#tocOnly[0] = this.#lastToc & 0xfc; // code 0: one frame, of length zero
    const samples = this.#native.decode(this.#tocOnly, this.#out);
    return samples < 0 ? this.#silence(this.#lastFrameSamples) : this.#view(samples);
  }

  /** Forgets the stream: decoder state, the last TOC and lastError. Counters are kept. */
  reset(): void {
    this.#native.reset();
    this.#lastToc = -1;
    this.#lastFrameSamples = DEFAULT_FRAME_SAMPLES;
    this.#lastError = null;
  }

  /** Why the most recent decode() returned null; null after a successful decode. */
  get lastError(): OpusDecodeError | null {
    return this.#lastError;
  }
  /** Samples per frame of the last decoded packet (what conceal() will produce). */
  get frameSamples(): number {
    return this.#lastFrameSamples;
  }
  get decodedPackets(): number {
    return this.#decodedPackets;
  }
  get decodedSamples(): number {
    return this.#decodedSamples;
  }
  get concealedFrames(): number {
    return this.#concealedFrames;
  }
  get droppedPackets(): number {
    return this.#droppedPackets;
  }

  #view(samples: number): Int16Array {
    return (this.#views[samples] ??= this.#out.subarray(0, samples));
  }

  #silence(samples: number): Int16Array {
    return this.#view(samples).fill(0);
  }

  #drop(reason: OpusDecodeError): null {
    this.#lastError = reason;
    this.#droppedPackets++;
    return null;
  }
}
