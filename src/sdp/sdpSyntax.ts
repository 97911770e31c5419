// Strict front door to sdp-transform (which accepts nearly anything): required lines, their
// syntax, and the per-stream facts every negotiation reads (transport, direction, ssrc, crypto).
import { isIPv4 } from 'node:net';
import { parse, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { InvalidArgumentError } from '../errors.js';
import { sendPtime } from './codecChoice.js';
import { CODEC_NAMES, type Direction, type LocalMediaConfig, type NegotiatedCodec, type NegotiatedMedia, type RtpProfile } from './NegotiatedMedia.js';

export const MAX_SDP_LENGTH = 65_536;

export interface ParsedSdp {
  session: SessionDescription;
  /** The raw a=crypto values of each m= section, by section index (sdp-transform keeps only one session parameter). */
  crypto: string[][];
}

const LINE_RE = /^([a-z])=(.*)$/;
const ORIGIN_RE = /^\S+ \d+ \d+ IN IP[46] \S+$/;
const MEDIA_RE = /^[a-zA-Z0-9_-]+ \d{1,5}(?:\/\d+)? \S+(?: \S+)*$/;
const CONNECTION_RE = /^IN IP[46] \S+$/;

export function sdpError(reason: string): InvalidArgumentError {
  return new InvalidArgumentError('sdp', reason);
}

/** Parses an SDP and checks the lines sdp-transform does not insist on (RFC 4566 §5). */
export function parseSdp(sdp: unknown, what = 'offer'): ParsedSdp {
  if (typeof sdp !== 'string') throw sdpError(`${what} must be a string`);
  if (sdp.length > MAX_SDP_LENGTH) throw sdpError(`${what} is longer than ${MAX_SDP_LENGTH} characters`);
  const lines = sdp.split(/\r\n|\r|\n/).filter((l) => l.trim().length > 0);
  if (lines.length === 0) throw sdpError(`${what} is empty`);
  if (lines[0].trim() !== 'v=0') throw sdpError(`${what} is malformed: the first line must be v=0, not "${clip(lines[0])}"`);
  const crypto: string[][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const m = LINE_RE.exec(lines[i]);
    if (m === null) throw sdpError(`${what} is malformed: line ${i + 1} "${clip(lines[i])}" is not <type>=<value>`);
    const [, type, value] = m;
    if (type === 'm') {
      if (!seen.has('o') || !seen.has('s') || !seen.has('t')) {
        throw sdpError(`${what} is malformed: missing ${['o', 's', 't'].filter((t) => !seen.has(t)).map((t) => `${t}=`).join(', ')} before the first m= line`);
      }
      if (!MEDIA_RE.test(value)) throw sdpError(`${what} is malformed: bad m= line "${clip(lines[i])}"`);
      crypto.push([]);
    } else if (type === 'o' && !ORIGIN_RE.test(value)) {
      throw sdpError(`${what} is malformed: bad o= line "${clip(lines[i])}"`);
    } else if (type === 'c' && !CONNECTION_RE.test(value)) {
      throw sdpError(`${what} is malformed: bad c= line "${clip(lines[i])}"`);
    } else if (type === 'a' && value.startsWith('crypto:') && crypto.length > 0) {
      crypto[crypto.length - 1].push(value.slice('crypto:'.length));
    }
    seen.add(type);
  }
  if (!seen.has('m')) throw sdpError(`${what} has no m= line`);
  return { session: parse(sdp), crypto };
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const PROFILES: readonly RtpProfile[] = ['RTP/AVP', 'RTP/SAVP', 'RTP/AVPF', 'RTP/SAVPF'];

export function rtpProfile(protocol: string): RtpProfile | undefined {
  const p = protocol.toUpperCase();
  return PROFILES.find((x) => x === p);
}

/** True for DTLS-SRTP transports (UDP/TLS/RTP/SAVPF and kin). */
export function isDtlsProtocol(protocol: string): boolean {
  return /(^|\/)(TLS|DTLS)(\/|$)/i.test(protocol);
}

export function isSecureProfile(profile: RtpProfile): boolean {
  return profile === 'RTP/SAVP' || profile === 'RTP/SAVPF';
}

export interface RemoteTransport {
  address: string;
  rtpPort: number;
  /** The a=rtcp port if given (RFC 3605), else rtpPort+1; the caller applies rtcp-mux. */
  rtcpPort: number;
  rtcpMuxOffered: boolean;
  ssrc?: number;
}

/** Where the remote receives the stream of `media` (c= from the media or the session level). */
export function remoteTransport(session: SessionDescription, media: MediaDescription): RemoteTransport {
  const connection = media.connection ?? session.connection;
  if (connection === undefined) throw sdpError('has no connection address (c=) for the audio stream');
  if (connection.version !== 4) throw sdpError(`connection address ${connection.ip} is IPv6, which is not supported`);
  if (!isIPv4(connection.ip)) throw sdpError(`connection address "${connection.ip}" is not an IPv4 literal`);
  const first = Number(connection.ip.split('.')[0]);
  if (first >= 224 && first <= 239) throw sdpError(`connection address ${connection.ip} is multicast, which is not supported`);
  const rtpPort = media.port;
  if (!Number.isInteger(rtpPort) || rtpPort < 1 || rtpPort > 65535) throw sdpError(`audio port ${rtpPort} is out of range`);
  let rtcpPort = rtpPort + 1;
  if (media.rtcp !== undefined) {
    const p = Number(media.rtcp.port);
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw sdpError(`a=rtcp port ${String(media.rtcp.port)} is out of range`);
    rtcpPort = p;
  }
  const t: RemoteTransport = { address: connection.ip, rtpPort, rtcpPort, rtcpMuxOffered: media.rtcpMux !== undefined };
  const ssrc = media.ssrcs?.[0]?.id;
  if (ssrc !== undefined) {
    const n = Number(ssrc);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw sdpError(`a=ssrc ${String(ssrc)} is not a 32-bit value`);
    t.ssrc = n;
  }
  return t;
}

/** The direction the remote declares (media level over session level, default sendrecv). */
export function remoteDirection(session: SessionDescription, media: MediaDescription): Direction {
  return media.direction ?? session.direction ?? 'sendrecv';
}

/**
 * Our direction given the remote's: the mirror image, and we never send to 0.0.0.0 (RFC 2543
 * hold, RFC 3264 §8.4: the remote does not want media).
 */
export function ourDirection(remote: Direction, remoteAddress: string): Direction {
  const remoteSends = remote === 'sendrecv' || remote === 'sendonly';
  const remoteReceives = (remote === 'sendrecv' || remote === 'recvonly') && remoteAddress !== '0.0.0.0';
  if (remoteSends && remoteReceives) return 'sendrecv';
  if (remoteSends) return 'recvonly';
  if (remoteReceives) return 'sendonly';
  return 'inactive';
}

export interface ResolvedLocal extends Required<Omit<LocalMediaConfig, 'sessionId'>> {
  sessionId: string;
}

/** Validates our side and fills the defaults. */
export function resolveLocal(local: LocalMediaConfig): ResolvedLocal {
  if (typeof local !== 'object' || local === null) throw new InvalidArgumentError('local', 'must be an object');
  if (typeof local.address !== 'string' || !isIPv4(local.address)) throw new InvalidArgumentError('address', 'must be an IPv4 literal');
  if (!Number.isInteger(local.rtpPort) || local.rtpPort < 1 || local.rtpPort > 65535) throw new InvalidArgumentError('rtpPort', 'must be an integer in 1..65535');
  if (!Number.isInteger(local.ssrc) || local.ssrc < 0 || local.ssrc > 0xffffffff) throw new InvalidArgumentError('ssrc', 'must be a 32-bit unsigned integer');
  const sid = local.sessionId;
  const sessionOk = typeof sid === 'string' ? /^\d{1,20}$/.test(sid) : Number.isSafeInteger(sid) && sid >= 0;
  if (!sessionOk) throw new InvalidArgumentError('sessionId', 'must be digits or a non-negative safe integer');
  const version = local.sessionVersion ?? 0;
  if (!Number.isSafeInteger(version) || version < 0) throw new InvalidArgumentError('sessionVersion', 'must be a non-negative safe integer');
  const cname = local.cname ?? `roomtone-${sid}`;
  if (typeof cname !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(cname)) throw new InvalidArgumentError('cname', 'must be 1..255 printable characters without spaces');
  const codecs = local.codecs ?? [...CODEC_NAMES];
  if (!Array.isArray(codecs) || codecs.length === 0 || codecs.some((c) => !CODEC_NAMES.includes(c))) {
    throw new InvalidArgumentError('codecs', `must be a non-empty list of ${CODEC_NAMES.join(', ')}`);
  }
  return { address: local.address, rtpPort: local.rtpPort, ssrc: local.ssrc, sessionId: String(sid), sessionVersion: version, cname, codecs: [...new Set(codecs)] };
}

/** The session-level lines of an SDP we write. */
export function sessionLines(local: ResolvedLocal): string[] {
  return [
    'v=0',
    `o=- ${local.sessionId} ${local.sessionVersion} IN IP4 ${local.address}`,
    's=roomtone',
    `c=IN IP4 ${local.address}`,
    't=0 0',
  ];
}

export function joinSdp(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

/** What an answer or an offer settles from the remote m-line, before telephone-event and keys. */
export function negotiatedMedia(profile: RtpProfile, codec: NegotiatedCodec, session: SessionDescription, m: MediaDescription): NegotiatedMedia {
  const transport = remoteTransport(session, m);
  const rtcpMux = transport.rtcpMuxOffered;
  const media: NegotiatedMedia = {
    profile,
    codec,
    ptimeMs: sendPtime(codec.name, m.ptime, m.maxptime),
    rtcpMux,
    direction: ourDirection(remoteDirection(session, m), transport.address),
    remote: { address: transport.address, rtpPort: transport.rtpPort, rtcpPort: rtcpMux ? transport.rtpPort : transport.rtcpPort },
  };
  if (transport.ssrc !== undefined) media.remote.ssrc = transport.ssrc;
  return media;
}
