// What an SDP offer/answer exchange settles for one plain-RTP / SDES-SRTP audio stream. The
// transport and the codec streams are configured from this and nothing else.
import type { SdesKey } from '../srtp/SrtpSuite.js';

export type CodecName = 'opus' | 'PCMU' | 'PCMA';

export const CODEC_NAMES: readonly CodecName[] = ['opus', 'PCMU', 'PCMA'];

export interface OpusParameters {
  /** The remote decoder can use in-band FEC: encode with FEC. */
  useInbandFec: boolean;
  /** The remote prefers DTX: we may stop sending during silence. */
  useDtx: boolean;
  /** Cap for our encoder's average bitrate (bit/s, clamped to 6000..510000). */
  maxAverageBitrate?: number;
  /** The remote would like to receive stereo. We always send mono (our sprop-stereo=0). */
  stereo: boolean;
}

export interface NegotiatedCodec {
  name: CodecName;
  payloadType: number;
  clockRate: number;
  /**
   * Channels we encode and decode: always 1. (Opus is written opus/48000/2 in SDP as RFC 7587
   * requires, but we send mono and decode to mono.)
   */
  channels: number;
  opus?: OpusParameters;
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export type RtpProfile = 'RTP/AVP' | 'RTP/SAVP' | 'RTP/AVPF' | 'RTP/SAVPF';

export interface NegotiatedMedia {
  profile: RtpProfile;
  codec: NegotiatedCodec;
  telephoneEvent?: { payloadType: number; clockRate: number };
  /**
   * Packetisation we SEND at: the remote's a=ptime if given, clamped to what the codec allows
   * (G.711: 10..60 in 10 ms steps; opus: 10/20/40/60) and to its a=maxptime; default 20.
   */
  ptimeMs: number;
  /** RTP and RTCP share one port in both directions (RFC 5761). */
  rtcpMux: boolean;
  /** Our direction, from OUR point of view (an offer of sendonly -> we are recvonly). */
  direction: Direction;
  /**
   * Where to send. `address` '0.0.0.0' is an RFC 2543 hold: send nothing (direction already says
   * so). `rtcpPort` equals `rtpPort` when rtcpMux, else the remote's a=rtcp port, else rtpPort+1.
   */
  remote: { address: string; rtpPort: number; rtcpPort: number; ssrc?: number };
  /** remote = the key the remote encrypts with (decrypt with it); local = ours (encrypt with it). */
  srtp?: { local: SdesKey; remote: SdesKey };
  /** RFC 6464 urn:ietf:params:rtp-hdrext:ssrc-audio-level extension id, if both sides use it. */
  audioLevelExtId?: number;
}

/** Our side of the stream. Without rtcp-mux we receive RTCP on rtpPort+1 (no a=rtcp is written). */
export interface LocalMediaConfig {
  /** IPv4 literal written in c= and o=. */
  address: string;
  rtpPort: number;
  ssrc: number;
  /** o= sess-id: digits, or a non-negative safe integer. */
  sessionId: string | number;
  /** o= sess-version; the caller increments it for each new answer/offer of a session. Default 0. */
  sessionVersion?: number;
  /** RTCP CNAME written in a=ssrc. Default `roomtone-<sessionId>`. */
  cname?: string;
  /** Codecs we accept or offer, in our offering order. Default all three. */
  codecs?: CodecName[];
}

export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
