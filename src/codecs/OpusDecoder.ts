// One Opus decoder per inbound stream, always producing 48 kHz mono (libopus downmixes stereo
// packets). Every packet is validated by the RFC 6716 parser before libopus sees it; a bad
// packet is a counted drop (null + lastError), never an exception.
import { InvalidArgumentError } from '../errors.js';
import { createNativeOpus, OpusCtl, type NativeOpus } from './opusBinding.js';
import { createOpusPacketInfo, parseOpusPacket, type OpusPacketError, type OpusPacketInfo } from './opusPacket.js';

/** Why decode() returned null: the parser's reason, or 'decoder' when libopus refused the packet. */
export type OpusDecodeError = OpusPacketError | 'decoder';

export const OPUS_DECODE_RATE = 48000;
/** What conceal() produces before any packet was decoded: 20 ms of silence. */
const DEFAULT_FRAME_SAMPLES = 960;

export class OpusDecoder {
  #native: NativeOpus = createNativeOpus(OPUS_DECODE_RATE, 1);
  readonly #info: OpusPacketInfo = createOpusPacketInfo();
  /** The 1-byte packet conceal() hands libopus: the last TOC with code 0 and no frame data. */
  readonly #tocOnly = Buffer.alloc(1);
  #lastToc = -1;
  #lastFrameSamples = DEFAULT_FRAME_SAMPLES;
  #lastError: OpusDecodeError | null = null;
  #decodedPackets = 0;
  #decodedSamples = 0;
  #concealedFrames = 0;
  #droppedPackets = 0;

  /**
   * Decodes one packet to 48 kHz mono. A multi-frame packet yields all its frames' samples.
   * Returns null for a packet that must be dropped (see lastError). The returned array wraps
   * the Buffer libopus produced (a new one per call), so the caller may keep it.
   */
  decode(packet: Uint8Array): Int16Array | null {
    if (!(packet instanceof Uint8Array)) throw new InvalidArgumentError('packet', 'must be a Uint8Array or Buffer');
    const error = parseOpusPacket(packet, this.#info);
    if (error !== null) return this.#drop(error);
    let pcm: Buffer;
    try {
      pcm = this.#native.decode(asBuffer(packet));
    } catch {
      return this.#drop('decoder');
    }
    this.#lastToc = packet[0];
    this.#lastFrameSamples = this.#info.samplesPerFrame48k;
    this.#lastError = null;
    this.#decodedPackets++;
    this.#decodedSamples += pcm.length >> 1;
    return asInt16(pcm);
  }

  /**
   * Conceals one lost frame: exactly one frame of the last packet's frame duration (libopus
   * PLC, by decoding a packet that holds only that packet's TOC byte). Before any packet was
   * decoded it returns 20 ms of zeros.
   */
  conceal(): Int16Array {
    this.#concealedFrames++;
    if (this.#lastToc < 0) return new Int16Array(DEFAULT_FRAME_SAMPLES);
    this.#tocOnly[0] = this.#lastToc & 0xfc; // code 0: one frame, of length zero
    try {
      return asInt16(this.#native.decode(this.#tocOnly));
    } catch {
      return new Int16Array(this.#lastFrameSamples);
    }
  }

  /** Forgets the stream: decoder state, the last TOC and lastError. Counters are kept. */
  reset(): void {
    this.#native.applyDecoderCTL(OpusCtl.RESET_STATE, 0);
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

  #drop(reason: OpusDecodeError): null {
    this.#lastError = reason;
    this.#droppedPackets++;
    return null;
  }
}

function asBuffer(packet: Uint8Array): Buffer {
  return Buffer.isBuffer(packet) ? packet : Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
}

/**
 * libopus's decode returns a fresh Buffer each call (Napi::Buffer::Copy: its own ArrayBuffer,
 * byteOffset 0), so it can be viewed as Int16Array in place; copy only if it is ever misaligned.
 */
function asInt16(pcm: Buffer): Int16Array {
  if ((pcm.byteOffset & 1) === 0) return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
  const out = new Int16Array(pcm.length >> 1);
  new Uint8Array(out.buffer).set(pcm.subarray(0, out.length * 2));
  return out;
}
