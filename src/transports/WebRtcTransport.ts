import {
  RTCPeerConnection,
  useAudioLevelIndication,
  useOPUS,
  usePCMU,
  type MediaStreamTrack,
  type RTCRtpTransceiver,
  type RtpPacket,
} from 'werift';
import { codecFor, type OpusEncoderSettings } from '../codecs/codecFor.js';
import { InvalidArgumentError } from '../errors.js';
import { InboundStream } from '../media/InboundStream.js';
import { joinPacket, OutboundStream } from '../media/OutboundStream.js';
import type { FrameFormat } from '../mixing/FrameFormat.js';
import type { OutputMode } from '../mixing/flags.js';
import type { PcmPort } from '../ports/PcmPort.js';
import type { NegotiatedCodec } from '../sdp/NegotiatedMedia.js';
import type { Logger } from '../util/logger.js';
import { sharedEncodingRef, type SharedEncodings } from '../media/SharedEncodings.js';
import { addTransport, type TransportTotals } from './TransportTotals.js';
import { DropCounter } from './DropCounter.js';
import type { TransportStats } from './TransportStats.js';

export interface WebRtcConfig {
  format: FrameFormat;
  opus: OpusEncoderSettings;
  /** Extra host candidates (werift leaves out loopback unless told). */
  iceAddresses: string[];
  mediaTimeoutMs: number;
  log: Logger;
  context: Record<string, unknown>;
  /** Counters of departed participants: a closing transport adds its own. */
  totals?: TransportTotals;
  /** The conference's shared-mix encoders. */
  shared?: SharedEncodings;
}

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const GATHER_TIMEOUT_MS = 5000;

/**
 * A browser participant: ICE, DTLS-SRTP and RTCP by a werift RTCPeerConnection, audio through
 * the same inbound and outbound streams as plain RTP. Opus is preferred, PCMU used if that is
 * all the browser offers.
 */
export class WebRtcTransport implements PcmPort {
  onEnded?: PcmPort['onEnded'];
  onDtmf?: PcmPort['onDtmf'];
  readonly localSdp: string;
  readonly #pc: RTCPeerConnection;
  readonly #transceiver: RTCRtpTransceiver;
  readonly #codec: NegotiatedCodec;
  readonly #inbound: InboundStream;
  readonly #outbound: OutboundStream;
  readonly #drops: DropCounter;
  readonly #levelId: number | undefined;
  readonly #timeout: NodeJS.Timeout;
  readonly #totals: TransportTotals | undefined;
  #packetsIn = 0;
  #bytesIn = 0;
  #audioLevel: number | null = null;
  #lastPacketAt = Date.now();
  #connected = false;
  #closed = false;

  private constructor(
    c: WebRtcConfig,
    pc: RTCPeerConnection,
    transceiver: RTCRtpTransceiver,
    codec: NegotiatedCodec,
    localSdp: string,
    tracks: MediaStreamTrack[],
  ) {
    this.#pc = pc;
    this.#transceiver = transceiver;
    this.#codec = codec;
    this.localSdp = localSdp;
    this.#drops = new DropCounter(c.log, c.context);
    this.#totals = c.totals;
    const { decoder, encoder, encoderKey, makeEncoder } = codecFor(codec, c.opus);
    this.#inbound = new InboundStream(decoder, c.format.rate, c.format.samples);
    this.#outbound = new OutboundStream({
      encoder,
      rate: c.format.rate,
      frameSamples: c.format.samples,
      ptimeMs: 20,
      payloadType: codec.payloadType,
      ssrc: transceiver.sender.ssrc,
      send: (header, payload) => {
        if (this.#connected) void this.#transceiver.sender.sendRtp(joinPacket(header, payload));
      },
      shared: c.shared && sharedEncodingRef(c.shared, encoderKey, 20, makeEncoder),
    });
    this.#levelId = transceiver.headerExtensions.find((e) => e.uri === AUDIO_LEVEL_URI)?.id;
    // werift announces the remote track during setRemoteDescription, before this object exists.
    for (const track of tracks) track.onReceiveRtp.subscribe((rtp) => this.#onRtp(rtp));
    pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => this.#onRtp(rtp)));
    pc.connectionStateChange.subscribe((state) => {
      this.#connected = state === 'connected';
      if ((state === 'failed' || state === 'closed') && !this.#closed) this.onEnded?.('port-closed');
    });
    this.#timeout = setInterval(() => {
      if (Date.now() - this.#lastPacketAt >= c.mediaTimeoutMs) this.onEnded?.('media-timeout');
    }, 1000);
    this.#timeout.unref();
  }

  /** Answers a browser's offer; resolves once our ICE candidates are gathered into the answer. */
  static async answer(c: WebRtcConfig, offerSdp: string): Promise<WebRtcTransport> {
    const pc = new RTCPeerConnection({
      codecs: { audio: [useOPUS(), usePCMU()] },
      headerExtensions: { audio: [useAudioLevelIndication()] },
      iceAdditionalHostAddresses: c.iceAddresses,
      iceUseIpv6: false,
    });
    const tracks: MediaStreamTrack[] = [];
    const early = pc.onTrack.subscribe((track) => tracks.push(track));
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      const transceiver = pc.getTransceivers().find((t) => t.kind === 'audio');
      if (!transceiver) throw new InvalidArgumentError('sdp', 'has no audio m-line');
      transceiver.setDirection('sendrecv');
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      const codec = negotiated(transceiver);
      early.unSubscribe();
      return new WebRtcTransport(c, pc, transceiver, codec, pc.localDescription!.sdp, tracks);
    } catch (err) {
      await pc.close();
      if (err instanceof InvalidArgumentError) throw err;
      throw new InvalidArgumentError('sdp', `WebRTC negotiation failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  readFrame(dst: Int16Array, gate?: number): boolean {
    return this.#inbound.readFrame(dst, gate);
  }

  opusPacket(): Uint8Array | null {
    return this.#inbound.opusPacket;
  }

  writeFrame(frame: Int16Array, mode: OutputMode, frameIndex: number, opus: Uint8Array | null = null): void {
    this.#outbound.writeFrame(frame, mode, frameIndex, opus);
  }

  stats(): TransportStats {
    return {
      kind: 'webrtc',
      codec: `${this.#codec.name}/${this.#codec.clockRate}`,
      packetsIn: this.#packetsIn,
      bytesIn: this.#bytesIn,
      drops: { ...this.#drops.counts },
      inbound: { ...this.#inbound.stats },
      outbound: { ...this.#outbound.stats },
      rtcp: null,
      audioLevel: this.#audioLevel,
      ssrcChanges: 0,
      latched: null,
      consent: null,
      withheldFrames: 0,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#totals) addTransport(this.#totals, this.stats());
    clearInterval(this.#timeout);
    void this.#pc.close();
  }

  #onRtp(rtp: RtpPacket): void {
    if (this.#closed) return;
    const h = rtp.header;
    if (h.payloadType !== this.#codec.payloadType) return this.#drops.drop('unknown-payload-type');
    const now = Date.now();
    this.#packetsIn++;
    this.#bytesIn += rtp.payload.length;
    this.#lastPacketAt = now;
    let level = -1;
    if (this.#levelId !== undefined) {
      const ext = h.extensions.find((e) => e.id === this.#levelId);
      if (ext && ext.payload.length > 0) this.#audioLevel = level = ext.payload[0] & 0x7f;
    }
    const r = this.#inbound.push(h.sequenceNumber, h.timestamp, rtp.payload, 0, rtp.payload.length, h.marker, now, level);
    if (r !== 'ok') this.#drops.drop(r);
  }
}

function negotiated(t: RTCRtpTransceiver): NegotiatedCodec {
  const codec = t.sender.codec ?? t.codecs[0];
  if (!codec) throw new InvalidArgumentError('sdp', 'offers no codec we support (opus, PCMU)');
  const opus = codec.mimeType.toLowerCase() === 'audio/opus';
  return {
    name: opus ? 'opus' : 'PCMU',
    payloadType: codec.payloadType,
    clockRate: codec.clockRate,
    channels: 1,
    ...(opus ? { opus: { useInbandFec: true, useDtx: false, stereo: false } } : {}),
  };
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ICE gathering timed out')), GATHER_TIMEOUT_MS);
    pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
