// The one module that loads @discordjs/opus (libopus 1.3.1). In ESM the package is reached
// through its default export. Nothing else imports the package; OpusEncoder.ts and
// OpusDecoder.ts validate every argument before it gets here, because libopus aborts the
// process on a PCM frame of the wrong size.
import opus from '@discordjs/opus';

/** One libopus handle: an encoder and a decoder, each created on first use. */
export type NativeOpus = InstanceType<typeof opus.OpusEncoder>;

export function createNativeOpus(rate: number, channels: number): NativeOpus {
  return new opus.OpusEncoder(rate, channels);
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
