// libopus 1.3.1, built into roomtone.node from the sources that @discordjs/opus ships
// (native/opus/libopus.gyp). OpusEncoder.ts and OpusDecoder.ts validate every argument before
// it gets here and own the buffers libopus writes into, so a frame allocates nothing.
import { native, type NativeOpusDecoder, type NativeOpusEncoder } from '../native/binding.js';

export type { NativeOpusDecoder, NativeOpusEncoder };

export function createOpusEncoder(rate: number, channels: 1 | 2): NativeOpusEncoder {
  return new native.OpusEncoder(rate, channels);
}

export function createOpusDecoder(rate: number, channels: 1 | 2): NativeOpusDecoder {
  return new native.OpusDecoder(rate, channels);
}

/** libopus CTL request numbers (opus_defines.h) used by roomtone. */
export const OpusCtl = {
  SET_BITRATE: 4002,
  SET_VBR: 4006,
  SET_COMPLEXITY: 4010,
  SET_INBAND_FEC: 4012,
  SET_PACKET_LOSS_PERC: 4014,
  SET_DTX: 4016,
  SET_SIGNAL: 4024,
  RESET_STATE: 4028,
  SIGNAL_VOICE: 3001,
  AUTO: -1000,
} as const;

/** The largest packet libopus writes: three 20 ms frames of 1275 bytes and their framing (RFC 6716 §3.2). */
export const OPUS_MAX_PACKET = 3 * 1275 + 7;
