// What a caller hands the engine to connect media, in a form that can cross to a media
// worker (plain data and shared memory). The media thread opens them (portFactory.ts).
import type { SrtpSuite } from '../srtp/SrtpSuite.js';
import type { MemoryPortSpec } from '../ports/MemoryPort.js';
import type { RingSourceSpec } from '../ports/RingSource.js';
import type { ToneSourceSpec } from '../media/ToneSource.js';
import type { PcmSourceSpec } from '../media/PcmFileSource.js';
import type { FileSourceSpec } from '../media/PcmLoader.js';
import type { RecordingSpec } from '../media/RecordingPort.js';

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

/** What a caller may inject: a media-thread source, or a file, which the engine loads first (PcmLoader). */
export type InjectSource = SourceSpec | FileSourceSpec;
