import type { NegotiatedCodec } from '../sdp/NegotiatedMedia.js';
import type { AudioDecoder } from './AudioDecoder.js';
import type { AudioEncoder } from './AudioEncoder.js';
import { G711Decoder, G711Encoder } from './G711Codec.js';
import { OpusStreamDecoder, OpusStreamEncoder, type OpusEncoderSettings } from './OpusStream.js';

export type { OpusEncoderSettings };

/** The decoder and encoder for one negotiated stream. */
export function codecFor(codec: NegotiatedCodec, opusSettings: OpusEncoderSettings): { decoder: AudioDecoder; encoder: AudioEncoder } {
  if (codec.name === 'opus') {
    const fec = opusSettings.fec && (codec.opus?.useInbandFec ?? true);
    const bitrate = Math.min(opusSettings.bitrate, codec.opus?.maxAverageBitrate ?? Infinity);
    return {
      decoder: new OpusStreamDecoder(),
      encoder: new OpusStreamEncoder({ ...opusSettings, fec, bitrate, dtx: opusSettings.dtx && (codec.opus?.useDtx ?? false) }),
    };
  }
  return { decoder: new G711Decoder(codec.name), encoder: new G711Encoder(codec.name) };
}
