import { monotonicMs } from '../clock/monotonic.js';
import type { AudioEncoder } from '../codecs/AudioEncoder.js';
import { Resampler } from '../codecs/Resampler.js';
import { isDigitalSilence } from './digitalSilence.js';
import type { SharedEncodingRef } from './SharedEncodings.js';
import { InvalidArgumentError } from '../errors.js';
import { OutputMode } from '../mixing/flags.js';
import { writeRtpHeader } from '../rtp/RtpPacket.js';

export interface OutboundStats {
  packets: number;
  bytes: number;
  talkspurts: number;
  /** RTP timestamp and wall time of the last packet, for sender reports. */
  lastTimestamp: number;
  lastSentAt: number;
  /** Time spent encoding, for metrics. */
  encodeMs: number;
  /** Packets whose payload came from the conference's shared encode. */
  sharedPackets: number;
  /** Packets that were a participant's own Opus packet, passed on without decoding or encoding. */
  forwardedPackets: number;
}

export interface OutboundStreamOptions {
  encoder: AudioEncoder;
  /** Conference rate and frame size of what writeFrame() receives. */
  rate: number;
  frameSamples: number;
  ptimeMs: number;
  payloadType: number;
  ssrc: number;
  /**
   * Takes a finished RTP packet as its header and payload (the transport protects and sends
   * it). Both are valid only during the call: the header is the stream's one reused buffer.
   */
  send: (header: Uint8Array, payload: Uint8Array) => void;
  /** The conference's shared-mix encoder, for ticks where this listener hears the shared mix. */
  shared?: SharedEncodingRef;
}

const RTP_HEADER = 12;

/**
 * One listener's outgoing audio: the tick's output, resampled to the codec rate, cut into
 * packets of the negotiated ptime, encoded, and given RTP headers. A packet goes out every
 * ptime, silence included, so sequence numbers and timestamps stay continuous; ticks the clock
 * dropped advance the timestamp without consuming sequence numbers (a sender pause, not loss).
 * The marker bit starts every talkspurt (the first packet with sound after silence).
 */
export class OutboundStream {
  readonly stats: OutboundStats = { packets: 0, bytes: 0, talkspurts: 0, lastTimestamp: 0, lastSentAt: 0, encodeMs: 0, sharedPackets: 0, forwardedPackets: 0 };
  readonly #o: OutboundStreamOptions;
  readonly #resampler: Resampler | null;
  readonly #resampled: Int16Array;
  readonly #packetPcm: Int16Array;
  readonly #packetSamples: number;
  readonly #rtpPerFrame: number;
  readonly #rtpPerPacket: number;
  /** One packet per tick: a shared payload can stand in for this stream's own encode. */
  readonly #canShare: boolean;
  /** One Opus packet per tick at the conference rate: another participant's packet can be sent as is. */
  readonly #canForward: boolean;
  /** The shared encoding this stream's last packet came from, or null for its own encoder. */
  #sharedKey: string | null = null;
  /** The audio of the last packet when it was forwarded (to warm our encoder with), else null. */
  #forwarded: Int16Array | null = null;
  /** Our copy of a personal mix that was forwarded; made at the first such tick. */
  #forwardedPcm: Int16Array | null = null;
  #fill = 0;
  #packetVoiced = false;
  #lastWasSilent = true;
  #seq = Math.floor(Math.random() * 0x10000);
  #timestamp = Math.floor(Math.random() * 0x100000000);
  #expectedFrame = -1;
  /** Version, payload type and SSRC written once; each packet fills in marker, sequence and timestamp. */
  readonly #header = new Uint8Array(RTP_HEADER);

  constructor(o: OutboundStreamOptions) {
    if (!o.encoder.ptimes.includes(o.ptimeMs)) {
      throw new InvalidArgumentError('ptime', `must be one of ${o.encoder.ptimes.join(', ')} ms for this codec`);
    }
    this.#o = o;
    const codecFrame = (o.frameSamples * o.encoder.clockRate) / o.rate;
    this.#resampler = o.encoder.clockRate === o.rate ? null : new Resampler(o.rate, o.encoder.clockRate, o.frameSamples);
    this.#resampled = new Int16Array(codecFrame);
    this.#packetSamples = (o.encoder.clockRate * o.ptimeMs) / 1000;
    this.#packetPcm = new Int16Array(this.#packetSamples);
    this.#rtpPerFrame = (o.frameSamples * o.encoder.rtpClockRate) / o.rate;
    this.#rtpPerPacket = (o.encoder.rtpClockRate * o.ptimeMs) / 1000;
    this.#canShare = o.shared !== undefined && this.#packetSamples === codecFrame;
    this.#canForward = o.encoder.name === 'opus' && this.#resampler === null && this.#packetSamples === codecFrame;
    writeRtpHeader(this.#header, 0, { marker: false, payloadType: o.payloadType, sequenceNumber: 0, timestamp: 0, ssrc: o.ssrc });
  }

  get ssrc(): number {
    return this.#o.ssrc;
  }

  writeFrame(frame: Int16Array, mode: OutputMode, frameIndex: number, opus: Uint8Array | null = null): void {
    if (this.#expectedFrame >= 0 && frameIndex > this.#expectedFrame) {
      // The clock dropped ticks: skip their time, and restart the packet being filled.
      this.#timestamp = (this.#timestamp + (frameIndex - this.#expectedFrame) * this.#rtpPerFrame) >>> 0;
      this.#fill = 0;
      this.#packetVoiced = false;
    }
    this.#expectedFrame = frameIndex + 1;
    if (opus !== null && this.#canForward && this.#fill === 0) {
      this.#forward(opus, frame, mode, frameIndex);
      return;
    }
    if (this.#canShare && this.#fill === 0) {
      // Our own encoder sits this tick out; a later personal tick resumes it, which the decoder
      // hears as a splice between two encoders of the same signal. A personal mix that is
      // digital silence (a lone talker hears nobody) is the same for every such listener, so
      // it is shared too, under its own key.
      const shared = this.#o.shared!;
      const key = mode === OutputMode.Shared ? shared.key : this.#isSilent(frame, mode) ? shared.silenceKey : null;
      if (key !== null) {
        const started = monotonicMs();
        const payload = key === shared.key ? shared.encodings.payload(key, shared.make, frame, frameIndex) : shared.encodings.silence(key, shared.make, frameIndex);
        this.stats.encodeMs += monotonicMs() - started;
        this.stats.sharedPackets++;
        this.#sharedKey = key;
        this.#forwarded = null;
        this.#packetVoiced = key === shared.key && shared.encodings.voiced(frame, frameIndex);
        this.#send(payload);
        return;
      }
    }
    if (this.#sharedKey !== null || this.#forwarded !== null) {
      // Back to our own encoder, idle since the switch: one encode of the last frame the
      // listener heard (discarded) brings its state to what the listener's decoder just
      // decoded, so the splice makes no dropout.
      const last = this.#forwarded ?? this.#o.shared!.encodings.lastPcm(this.#sharedKey!);
      this.#sharedKey = null;
      this.#forwarded = null;
      if (last && last.length === this.#packetPcm.length) this.#o.encoder.encode(last);
    }
    let pcm = frame;
    if (this.#resampler !== null) {
      this.#resampler.process(frame, this.#resampled);
      pcm = this.#resampled;
    }
    const voiced = mode !== OutputMode.Silent && !isDigitalSilence(frame);
    let at = 0;
    while (at < pcm.length) {
      const take = Math.min(pcm.length - at, this.#packetSamples - this.#fill);
      if (voiced) this.#packetPcm.set(pcm.subarray(at, at + take), this.#fill);
      else this.#packetPcm.fill(0, this.#fill, this.#fill + take);
      this.#packetVoiced ||= voiced;
      this.#fill += take;
      at += take;
      if (this.#fill === this.#packetSamples) this.#emit();
    }
  }

  /**
   * Sends a participant's own Opus packet: the listener hears only that participant, so its
   * audio needs no decode-mix-encode generation and the conference no encode. The listener's
   * decoder then continues from a different encoder's stream; Opus decoders follow such a
   * switch within a frame or two, and our encoders are warmed with the forwarded audio before
   * they take over again (here, and in SharedEncodings for the shared mix).
   */
  #forward(opus: Uint8Array, frame: Int16Array, mode: OutputMode, frameIndex: number): void {
    const shared = this.#o.shared;
    if (mode === OutputMode.Shared && shared !== undefined) {
      this.#forwarded = shared.encodings.forwarded(frame, frameIndex);
    } else {
      this.#forwardedPcm ??= new Int16Array(frame.length);
      this.#forwardedPcm.set(frame);
      this.#forwarded = this.#forwardedPcm;
    }
    this.#sharedKey = null;
    this.#packetVoiced = true;
    this.stats.forwardedPackets++;
    this.#send(opus);
  }

  #isSilent(frame: Int16Array, mode: OutputMode): boolean {
    return mode === OutputMode.Silent || isDigitalSilence(frame);
  }

  #emit(): void {
    const started = monotonicMs();
    const payload = this.#o.encoder.encode(this.#packetPcm);
    this.stats.encodeMs += monotonicMs() - started;
    this.#send(payload);
  }

  /** Puts our RTP header on a payload and sends it; the stream's sequence and timestamp advance. */
  #send(payload: Uint8Array): void {
    const marker = this.#packetVoiced && this.#lastWasSilent;
    const h = this.#header;
    h[1] = (marker ? 0x80 : 0) | this.#o.payloadType;
    h[2] = this.#seq >>> 8;
    h[3] = this.#seq & 0xff;
    h[4] = this.#timestamp >>> 24;
    h[5] = (this.#timestamp >>> 16) & 0xff;
    h[6] = (this.#timestamp >>> 8) & 0xff;
    h[7] = this.#timestamp & 0xff;
    this.#o.send(h, payload);
    if (marker) this.stats.talkspurts++;
    this.stats.packets++;
    this.stats.bytes += RTP_HEADER + payload.length;
    this.stats.lastTimestamp = this.#timestamp;
    this.stats.lastSentAt = Date.now();
    this.#lastWasSilent = !this.#packetVoiced;
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + this.#rtpPerPacket) >>> 0;
    this.#fill = 0;
    this.#packetVoiced = false;
  }
}

/** Header and payload in one new buffer, for senders that need a whole packet they may keep. */
export function joinPacket(header: Uint8Array, payload: Uint8Array): Buffer {
  const packet = Buffer.allocUnsafe(header.length + payload.length);
  packet.set(header, 0);
  packet.set(payload, header.length);
  return packet;
}
