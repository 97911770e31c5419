import { InvalidArgumentError } from '../errors.js';
import { FrameFormat } from '../mixing/FrameFormat.js';
import { validateKernelSettings } from '../mixing/MixKernel.js';
import { DEFAULT_OPUS_ENCODER_SETTINGS, type OpusEncoderSettings, validateOpusEncoderSettings } from '../codecs/OpusEncoder.js';
import { DEFAULT_TALK_SETTINGS, type TalkSettings } from './TalkDetector.js';

export interface ConferenceOptions {
  /** Mixing rate in Hz: 8000, 16000, 24000 or 48000. */
  rate: number;
  /** Tick interval in ms: 10, 20 or 40. */
  intervalMs: number;
  /** Most talkers mixed at once, the loudest. */
  topK: number;
  /** Comfort-noise amplitude for deaf listeners; 0 = silence. */
  comfortNoise: number;
  /** Default gate and talk threshold (mean |sample|) for participants. */
  energyLevel: number;
  talk: TalkSettings;
  /** Opus encoding for the conference's listeners (bitrate, complexity, FEC, DTX). */
  opus: OpusEncoderSettings;
  /** Whose share of the RTP port pool the participants' ports count against (an account); none: no share. */
  tenant?: string;
}

export const DEFAULT_CONFERENCE_OPTIONS: ConferenceOptions = {
  rate: 48000,
  intervalMs: 20,
  topK: 8,
  comfortNoise: 0,
  energyLevel: 100,
  talk: DEFAULT_TALK_SETTINGS,
  opus: DEFAULT_OPUS_ENCODER_SETTINGS,
};

/** Fills defaults and validates; throws InvalidArgumentError naming the field. */
export function resolveConferenceOptions(partial: Partial<ConferenceOptions> = {}): ConferenceOptions {
  const o: ConferenceOptions = {
    ...DEFAULT_CONFERENCE_OPTIONS,
    ...partial,
    talk: { ...DEFAULT_TALK_SETTINGS, ...partial.talk },
    opus: { ...DEFAULT_OPUS_ENCODER_SETTINGS, ...partial.opus },
  };
  validateOpusEncoderSettings(o.opus);
  new FrameFormat(o.rate, o.intervalMs);
  validateKernelSettings({ topK: o.topK, comfortNoise: o.comfortNoise });
  if (!Number.isInteger(o.energyLevel) || o.energyLevel < 0 || o.energyLevel > 32767) {
    throw new InvalidArgumentError('energyLevel', 'must be an integer from 0 to 32767');
  }
  if (!Number.isInteger(o.talk.hangUnderFrames) || o.talk.hangUnderFrames < 1 || o.talk.hangUnderFrames > 50) {
    throw new InvalidArgumentError('talk.hangUnderFrames', 'must be an integer from 1 to 50');
  }
  if (!Number.isFinite(o.talk.hangOverMs) || o.talk.hangOverMs < 0 || o.talk.hangOverMs > 10_000) {
    throw new InvalidArgumentError('talk.hangOverMs', 'must be from 0 to 10000 ms');
  }
  if (o.tenant !== undefined && (typeof o.tenant !== 'string' || o.tenant.length === 0 || o.tenant.length > 256)) {
    throw new InvalidArgumentError('tenant', 'must be a string of 1 to 256 characters');
  }
  return o;
}
