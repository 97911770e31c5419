// Answering a plain RTP / SDES-SRTP audio offer (RFC 3264, RFC 4568). WebRTC (DTLS-SRTP) offers
// are recognised and refused here: the engine routes them to the WebRTC transport.
import { parse, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { UnsupportedError } from '../errors.js';
import type { SdesKey } from '../srtp/SrtpSuite.js';
import { chooseCodec, chooseTelephoneEvent, codecLines, describeFormats, negotiatedCodec, offeredFormats } from './codecChoice.js';
import { AUDIO_LEVEL_URI, type CodecName, type LocalMediaConfig, type NegotiatedMedia, type RtpProfile } from './NegotiatedMedia.js';
import { formatSdesCrypto, generateSdesKey, parseSdesCrypto } from './sdesCrypto.js';
import {
  isDtlsProtocol,
  isSecureProfile,
  joinSdp,
  negotiatedMedia,
  parseSdp,
  resolveLocal,
  rtpProfile,
  sdpError,
  sessionLines,
  type ResolvedLocal,
} from './sdpSyntax.js';

export type { LocalMediaConfig } from './NegotiatedMedia.js';

export interface AnswerResult {
  media: NegotiatedMedia;
  answerSdp: string;
}

/**
 * Answers an offer: the first audio m= line with a port and an RTP profile is used, every other
 * m= line is rejected (port 0). Throws InvalidArgumentError('sdp', reason) for an offer we cannot
 * answer and UnsupportedError for a WebRTC offer (check isWebRtcOffer first).
 */
export function answerOffer(offerSdp: string, local: LocalMediaConfig): AnswerResult {
  return negotiateAnswer(offerSdp, local, {});
}

/** True when the SDP is a WebRTC (DTLS-SRTP / ICE) description, to be given to the WebRTC transport. */
export function isWebRtcOffer(sdp: string): boolean {
  if (typeof sdp !== 'string') return false;
  try {
    return webRtcReason(parse(sdp)) !== undefined;
  } catch {
    return false;
  }
}

function webRtcReason(session: SessionDescription): string | undefined {
  const dtls = session.media.find((m) => isDtlsProtocol(String(m.protocol ?? '')));
  if (dtls !== undefined) return `its ${dtls.type} m= line uses ${dtls.protocol}`;
  const fingerprint = session.fingerprint !== undefined || session.media.some((m) => m.fingerprint !== undefined);
  const ice = session.iceUfrag !== undefined || session.media.some((m) => m.iceUfrag !== undefined);
  if (fingerprint && ice) return 'it carries ICE credentials and a DTLS fingerprint';
  return undefined;
}

export interface NegotiateOptions {
  /** Keep this codec if the offer still has it (re-offers). */
  preferCodec?: CodecName;
  /** Our current SDES key: reused (under the chosen tag) when the chosen suite is the same. */
  keepLocalKey?: SdesKey;
}

const ACCEPT_DESCRIPTIONS: Record<CodecName, string> = { opus: 'opus/48000/2', PCMU: 'PCMU/8000', PCMA: 'PCMA/8000' };

/** The negotiation behind answerOffer and answerReoffer. */
export function negotiateAnswer(offerSdp: string, local: LocalMediaConfig, options: NegotiateOptions): AnswerResult {
  const me = resolveLocal(local);
  const { session, crypto } = parseSdp(offerSdp, 'offer');
  const webRtc = webRtcReason(session);
  if (webRtc !== undefined) {
    throw new UnsupportedError(`sdp is a WebRTC (DTLS-SRTP) offer: ${webRtc}; route it to the WebRTC transport (isWebRtcOffer)`);
  }
  const { index, media: m, profile } = pickAudio(session.media);

  const formats = offeredFormats(m);
  const choice = chooseCodec(formats, me.codecs, options.preferCodec);
  if (choice === undefined) {
    const accepted = me.codecs.map((c) => ACCEPT_DESCRIPTIONS[c]).join(', ');
    throw sdpError(`offer has no acceptable codec: offered ${describeFormats(formats)}; we accept ${accepted}`);
  }
  const codec = negotiatedCodec(choice.name, choice.format);
  const result = negotiatedMedia(profile, codec, session, m);
  const te = chooseTelephoneEvent(formats, codec.clockRate);
  if (te !== undefined) result.telephoneEvent = te;
  const ext = (m.ext ?? []).find((e) => e.uri === AUDIO_LEVEL_URI && Number(e.value) >= 1 && Number(e.value) <= 255);
  if (ext !== undefined) result.audioLevelExtId = Number(ext.value);

  const suiteName = negotiateSrtp(result, crypto[index] ?? [], options.keepLocalKey);
  const lines = sessionLines(me);
  session.media.forEach((other, i) => {
    lines.push(...(i === index ? answerMediaLines(result, me, m, suiteName) : rejectedMediaLines(other)));
  });
  return { media: result, answerSdp: joinSdp(lines) };
}

function pickAudio(all: MediaDescription[]): { index: number; media: MediaDescription; profile: RtpProfile } {
  const audio = all.map((media, index) => ({ media, index })).filter((a) => a.media.type === 'audio');
  if (audio.length === 0) {
    const kinds = all.map((m) => m.type).join(', ');
    throw sdpError(`offer has no audio m= line (it offers ${kinds})`);
  }
  const active = audio.filter((a) => Number(a.media.port) !== 0);
  if (active.length === 0) throw sdpError('offer has no active audio m= line (every audio stream has port 0)');
  for (const a of active) {
    const profile = rtpProfile(String(a.media.protocol));
    if (profile !== undefined) return { ...a, profile };
  }
  const protocols = [...new Set(active.map((a) => a.media.protocol))].join(', ');
  throw sdpError(`offer's audio transport ${protocols} is not supported (we take RTP/AVP, RTP/SAVP, RTP/AVPF, RTP/SAVPF)`);
}

/**
 * Picks the first a=crypto line we can honour and sets result.srtp. RTP/SAVP(F) requires one;
 * on RTP/AVP (best-effort SRTP, ffmpeg) a=crypto is used if possible, else ignored (plain RTP).
 * Returns the suite spelling to echo in the answer.
 */
function negotiateSrtp(result: NegotiatedMedia, lines: string[], keep: SdesKey | undefined): string | undefined {
  const secure = isSecureProfile(result.profile);
  if (lines.length === 0) {
    if (secure) throw sdpError(`offer uses ${result.profile} but has no a=crypto line (SDES); DTLS-SRTP belongs to the WebRTC transport`);
    return undefined;
  }
  const parsed = lines.map(parseSdesCrypto);
  const chosen = parsed.find((p) => p.ok);
  if (chosen === undefined || !chosen.ok) {
    if (!secure) return undefined;
    const reasons = parsed.map((p) => (p.ok ? '' : p.tag !== undefined ? `tag ${p.tag}: ${p.reason}` : p.reason)).join('; ');
    throw sdpError(`offer has no a=crypto line we support on ${result.profile} (${reasons})`);
  }
  const remote = chosen.key;
  const local: SdesKey =
    keep !== undefined && keep.suite === remote.suite
      ? { tag: remote.tag, suite: keep.suite, key: keep.key, salt: keep.salt }
      : generateSdesKey(remote.suite, remote.tag);
  result.srtp = { local, remote };
  return chosen.suiteName;
}

function answerMediaLines(media: NegotiatedMedia, me: ResolvedLocal, offered: MediaDescription, suiteName: string | undefined): string[] {
  const pts = [media.codec.payloadType, ...(media.telephoneEvent === undefined ? [] : [media.telephoneEvent.payloadType])];
  const lines = [`m=audio ${me.rtpPort} ${media.profile} ${pts.join(' ')}`];
  if (offered.mid !== undefined) lines.push(`a=mid:${offered.mid}`);
  lines.push(...codecLines(media.codec, media.telephoneEvent), `a=ptime:${media.ptimeMs}`);
  if (media.rtcpMux) lines.push('a=rtcp-mux');
  lines.push(`a=${media.direction}`);
  if (media.srtp !== undefined) lines.push(`a=crypto:${formatSdesCrypto(media.srtp.local, suiteName)}`);
  if (media.audioLevelExtId !== undefined) lines.push(`a=extmap:${media.audioLevelExtId} ${AUDIO_LEVEL_URI}`);
  lines.push(`a=ssrc:${me.ssrc} cname:${me.cname}`);
  return lines;
}

/** RFC 3264 §6: a rejected stream keeps its m= line with port 0 and its formats. */
function rejectedMediaLines(m: MediaDescription): string[] {
  const formats = String((m as { payloads?: unknown }).payloads ?? '').trim();
  const lines = [`m=${m.type} 0 ${m.protocol} ${formats === '' ? '0' : formats}`];
  if (m.mid !== undefined) lines.push(`a=mid:${m.mid}`);
  return lines;
}
