import type { InboundStats } from '../media/InboundStream.js';
import type { OutboundStats } from '../media/OutboundStream.js';
import type { DropReason } from './DropCounter.js';
import type { RtcpStats } from './RtcpSession.js';

/** A participant's transport figures, the same shape for RTP and WebRTC. */
export interface TransportStats {
  kind: 'rtp' | 'webrtc';
  packetsIn: number;
  bytesIn: number;
  drops: Partial<Record<DropReason, number>>;
  inbound: InboundStats;
  outbound: OutboundStats;
  /** Our own RTCP figures (plain RTP); WebRTC's RTCP is handled inside werift. */
  rtcp: RtcpStats | null;
  /** Last RFC 6464 level from the sender (-dBov, 127 = silence), or null. */
  audioLevel: number | null;
  ssrcChanges: number;
  latched: string | null;
  /** Whether media may go to the peer now (RTP consent); null where the transport keeps its own (WebRTC: ICE). */
  consent: boolean | null;
  /** Frames not sent because the peer had not shown itself within the consent period. */
  withheldFrames: number;
  /** The negotiated codec, e.g. "opus/48000". */
  codec: string;
}
