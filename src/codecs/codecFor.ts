import type { NegotiatedCodec } from '../sdp/NegotiatedMedia.js';
import type { AudioDecoder } from './AudioDecoder.js';
import type { AudioEncoder } from './AudioEncoder.js';
import { G711Decoder, G711Encoder } from './G711Codec.js';
import { OpusStreamDecoder, OpusStreamEncoder, type OpusEncoderSettings } from './OpusStream.js';

export type { OpusEncoderSettings };

export interface StreamCodec {
  decoder: AudioDecoder;
  encoder: AudioEncoder;
  /** Identifies the encoder's settings: streams with the same key may share encoded packets. */
  encoderKey: string;
  /** A fresh encoder with the same settings (for the conference's shared-mix encoder). */
  makeEncoder(): AudioEncoder;
}

/** The decoder and encoder for one negotiated stream. */
export function codecFor(codec: NegotiatedCodec, opusSettings: OpusEncoderSettings): StreamCodec {
  if (codec.name === 'opus') {
    const fec = opusSettings.fec && (codec.opus?.useInbandFec ?? true);
    const bitrate = Math.min(opusSettings.bitrate, codec.opus?.maxAverageBitrate ?? Infinity);
    const settings = { ...opusSettings, fec, bitrate, dtx: opusSettings.dtx && (codec.opus?.useDtx ?? false) };
    const makeEncoder = () => new OpusStreamEncoder(settings);
    return { decoder: new OpusStreamDecoder(), encoder: makeEncoder(), encoderKey: `opus:${JSON.stringify(settings)}`, makeEncoder };
  }
  const makeEncoder = () => new G711Encoder(codec.name as 'PCMU' | 'PCMA');
  return { decoder: new G711Decoder(codec.name), encoder: makeEncoder(), encoderKey: codec.name, makeEncoder };
}
