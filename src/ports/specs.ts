// What a caller hands the engine to connect media, in a form that can cross to a media
// worker (plain data and shared memory), and the factories that open them on the far side.
import { InvalidArgumentError } from '../errors.js';
import type { FrameFormat } from '../mixing/FrameFormat.js';
import type { SrtpSuite } from '../srtp/SrtpSuite.js';
import { isWebRtcOffer } from '../sdp/answer.js';
import { RtpEndpoint, type RtpEndpointConfig } from '../transports/RtpEndpoint.js';
import type { WebRtcConfig } from '../transports/WebRtcTransport.js';
import type { MemoryPortSpec } from './MemoryPort.js';
import { MemoryPortRuntime } from './MemoryPortRuntime.js';
import type { FrameSource, PcmPort } from './PcmPort.js';
import { RingSource, type RingSourceSpec } from './RingSource.js';
import { ToneSource, type ToneSourceSpec } from '../media/ToneSource.js';
import { PcmFileSource, type PcmSourceSpec } from '../media/PcmFileSource.js';
import { RecordingPort, type RecordingSpec } from '../media/RecordingPort.js';

/**
 * Media over RTP: answer `sdp` if given, else make an offer to be completed by answer(). An
 * offer for UDP/TLS/RTP/SAVPF (a browser) is answered by the WebRTC transport.
 */
export interface RtpPortSpec {
  kind: 'rtp';
  sdp?: string;
  /** For our own offer: the SRTP suite to offer, or false for plain RTP (default). */
  srtp?: SrtpSuite | false;
}

export type PortSpec = MemoryPortSpec | RtpPortSpec | RecordingSpec;
/** Sources as the media thread opens them; files are loaded before (PcmLoader.loadSource). */
export type SourceSpec = RingSourceSpec | ToneSourceSpec | PcmSourceSpec;

/** A media-thread port and, for RTP, the SDP to give back to the caller. */
export interface OpenedPort {
  port: PcmPort;
  sdp: string | null;
}

/** Transport settings, built only when a port of that kind is opened. */
export interface TransportConfigs {
  rtp: () => RtpEndpointConfig;
  webrtc: () => WebRtcConfig;
}

export async function openPort(spec: PortSpec, format: FrameFormat, configs: TransportConfigs): Promise<OpenedPort> {
  switch (spec?.kind) {
    case 'memory':
      checkSamples('port', spec.input.samples, format);
      checkSamples('port', spec.output.samples, format);
      return { port: new MemoryPortRuntime(spec), sdp: null };
    case 'rtp': {
      if (spec.sdp !== undefined && typeof spec.sdp !== 'string') throw new InvalidArgumentError('sdp', 'must be a string');
      if (spec.sdp !== undefined && spec.sdp.length > 65536) throw new InvalidArgumentError('sdp', 'must be at most 64 KiB');
      if (spec.sdp && isWebRtcOffer(spec.sdp)) {
        // Loaded on the first WebRTC join: werift costs a thread about 26 MiB, which a server
        // of SIP phones should not pay in every media worker.
        const { WebRtcTransport } = await import('../transports/WebRtcTransport.js');
        const webrtc = await WebRtcTransport.answer(configs.webrtc(), spec.sdp);
        return { port: webrtc, sdp: webrtc.localSdp };
      }
      const endpoint = spec.sdp
        ? await RtpEndpoint.answer(configs.rtp(), spec.sdp)
        : await RtpEndpoint.offer(configs.rtp(), spec.srtp ?? false);
      return { port: endpoint, sdp: endpoint.localSdp };
    }
    case 'record':
      return { port: new RecordingPort(spec, format.rate), sdp: null };
    default:
      throw new InvalidArgumentError('port', 'has an unknown kind');
  }
}

export function openSource(spec: SourceSpec, format: FrameFormat): FrameSource {
  switch (spec?.kind) {
    case 'ring':
      checkSamples('source', spec.ring.samples, format);
      return new RingSource(spec);
    case 'tone':
      return new ToneSource(spec, format.rate);
    case 'pcm':
      return new PcmFileSource(spec);
    default:
      throw new InvalidArgumentError('source', 'has an unknown kind');
  }
}

function checkSamples(field: string, samples: number, format: FrameFormat): void {
  if (samples !== format.samples) {
    throw new InvalidArgumentError(field, `frames must hold ${format.samples} samples (the conference's rate x interval)`);
  }
}
