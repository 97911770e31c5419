// Opens the ports and sources a caller described (ports/specs.ts) on the media thread: the one
// place that knows which transport or source serves each kind.
import { InvalidArgumentError } from '../errors.js';
import type { FrameFormat } from '../mixing/FrameFormat.js';
import { isWebRtcOffer } from '../sdp/answer.js';
import { RtpEndpoint, type RtpEndpointConfig } from '../transports/RtpEndpoint.js';
import type { WebRtcConfig } from '../transports/WebRtcTransport.js';
import { MemoryPortRuntime } from '../ports/MemoryPortRuntime.js';
import type { FrameSource, PcmPort } from '../ports/PcmPort.js';
import { RingSource } from '../ports/RingSource.js';
import type { PortSpec, SourceSpec } from './specs.js';
import { ToneSource } from '../media/ToneSource.js';
import { PcmFileSource } from '../media/PcmFileSource.js';
import { RecordingPort } from '../media/RecordingPort.js';

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
