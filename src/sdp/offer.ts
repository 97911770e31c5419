// Dial-out: our offer, and what the remote's answer settles (RFC 3264 §5, §6; RFC 4568).
import { InvalidArgumentError } from '../errors.js';
import { SRTP_SUITES, type SdesKey, type SrtpSuite } from '../srtp/SrtpSuite.js';
import { chooseTelephoneEvent, describeFormats, matchCodec, negotiatedCodec, offeredFormats, type OfferedFormat } from './codecChoice.js';
import { AUDIO_LEVEL_URI, type CodecName, type LocalMediaConfig, type NegotiatedMedia } from './NegotiatedMedia.js';
import { formatSdesCrypto, generateSdesKey, parseSdesCrypto } from './sdesCrypto.js';
import { joinSdp, negotiatedMedia, parseSdp, resolveLocal, rtpProfile, sdpError, sessionLines } from './sdpSyntax.js';

export interface OfferConfig extends LocalMediaConfig {
  /** SDES-SRTP suite to offer (RTP/SAVP with one a=crypto, tag 1); false/absent = plain RTP/AVP. */
  srtp?: SrtpSuite | false;
}

/** What completeOffer needs to remember of our offer. */
export interface PendingOffer {
  readonly profile: 'RTP/AVP' | 'RTP/SAVP';
  /** Our payload types: codecs in our order, then telephone-event. */
  readonly formats: readonly OfferedFormat[];
  /** Our key (we encrypt with it); present when SRTP was offered. */
  readonly localKey?: SdesKey;
  /** Header extension id offered for RFC 6464 audio levels. */
  readonly audioLevelExtId: number;
}

/** Payload types we offer: RFC 3551 static for G.711, the usual dynamic ones otherwise. */
export const OFFER_PAYLOAD_TYPES = { opus: 111, PCMU: 0, PCMA: 8, telephoneEvent8000: 101, telephoneEvent48000: 110 } as const;

const OFFER_AUDIO_LEVEL_ID = 1;
const CODEC_FORMATS: Record<CodecName, OfferedFormat> = {
  opus: { pt: OFFER_PAYLOAD_TYPES.opus, name: 'opus', rate: 48000, channels: 2 },
  PCMU: { pt: OFFER_PAYLOAD_TYPES.PCMU, name: 'PCMU', rate: 8000 },
  PCMA: { pt: OFFER_PAYLOAD_TYPES.PCMA, name: 'PCMA', rate: 8000 },
};

/**
 * Our offer: opus/48000/2 (111, useinbandfec=1), PCMU (0), PCMA (8) as local.codecs allows,
 * telephone-event/8000 (101) and, with opus, /48000 (110); ptime 20, rtcp-mux, sendrecv,
 * audio-level extension 1, and with `srtp` RTP/SAVP plus one a=crypto (tag 1) carrying our key.
 */
export function createOffer(local: OfferConfig): { offerSdp: string; pending: PendingOffer } {
  const me = resolveLocal(local);
  const suite = local.srtp;
  if (suite !== undefined && suite !== false && !Object.hasOwn(SRTP_SUITES, suite)) {
    throw new InvalidArgumentError('srtp', `must be false or one of ${Object.keys(SRTP_SUITES).join(', ')}`);
  }
  const formats: OfferedFormat[] = me.codecs.map((c) => CODEC_FORMATS[c]);
  if (me.codecs.includes('opus')) formats.push({ pt: OFFER_PAYLOAD_TYPES.telephoneEvent48000, name: 'telephone-event', rate: 48000 });
  formats.push({ pt: OFFER_PAYLOAD_TYPES.telephoneEvent8000, name: 'telephone-event', rate: 8000 });
  const localKey = suite === undefined || suite === false ? undefined : generateSdesKey(suite, 1);
  const profile = localKey === undefined ? 'RTP/AVP' : 'RTP/SAVP';

  const lines = [...sessionLines(me), `m=audio ${me.rtpPort} ${profile} ${formats.map((f) => f.pt).join(' ')}`];
  for (const f of formats) {
    if (f.name === 'opus') {
      lines.push(`a=rtpmap:${f.pt} opus/48000/2`, `a=fmtp:${f.pt} useinbandfec=1;stereo=0;sprop-stereo=0`);
    } else if (f.name === 'telephone-event') {
      lines.push(`a=rtpmap:${f.pt} telephone-event/${f.rate}`, `a=fmtp:${f.pt} 0-16`);
    } else {
      lines.push(`a=rtpmap:${f.pt} ${f.name}/8000`);
    }
  }
  lines.push('a=ptime:20', 'a=rtcp-mux', 'a=sendrecv', `a=extmap:${OFFER_AUDIO_LEVEL_ID} ${AUDIO_LEVEL_URI}`);
  if (localKey !== undefined) lines.push(`a=crypto:${formatSdesCrypto(localKey)}`);
  lines.push(`a=ssrc:${me.ssrc} cname:${me.cname}`);

  const pending: PendingOffer = { profile, formats, audioLevelExtId: OFFER_AUDIO_LEVEL_ID, ...(localKey === undefined ? {} : { localKey }) };
  return { offerSdp: joinSdp(lines), pending };
}

/**
 * Applies the remote's answer to our offer. The codec we send is the first of the answer's
 * formats that is one of ours (and, if the answer maps it, maps to the same codec). Throws
 * InvalidArgumentError('sdp', reason) for an answer that does not fit the offer.
 */
export function completeOffer(pending: PendingOffer, answerSdp: string): NegotiatedMedia {
  const { session, crypto } = parseSdp(answerSdp, 'answer');
  if (session.media.length !== 1) throw sdpError(`answer has ${session.media.length} m= lines; the offer had 1`);
  const m = session.media[0];
  if (m.type !== 'audio') throw sdpError(`answer's m= line is ${m.type}, not audio`);
  if (Number(m.port) === 0) throw sdpError('answer rejected the audio stream (port 0)');
  const profile = rtpProfile(String(m.protocol));
  if (profile !== pending.profile) throw sdpError(`answer's profile ${m.protocol} does not match the offer's ${pending.profile}`);

  const answered = offeredFormats(m);
  const ours = (f: OfferedFormat): OfferedFormat | undefined => {
    const mine = pending.formats.find((o) => o.pt === f.pt);
    if (mine === undefined) return undefined;
    if (f.name === '') return mine; // no rtpmap in the answer: the offer's mapping holds
    const same = mine.name === 'telephone-event' ? f.name.toLowerCase() === 'telephone-event' && f.rate === mine.rate : matchCodec(f) === matchCodec(mine);
    return same ? mine : undefined;
  };
  let chosen: { name: CodecName; format: OfferedFormat } | undefined;
  for (const f of answered) {
    const mine = ours(f);
    const name = mine === undefined ? undefined : matchCodec(mine);
    if (mine !== undefined && name !== undefined) {
      chosen = { name, format: { ...mine, ...(f.fmtp === undefined ? {} : { fmtp: f.fmtp }) } };
      break;
    }
  }
  if (chosen === undefined) {
    throw sdpError(`answer picked no payload type we offered: it answered ${describeFormats(answered)}; we offered ${describeFormats([...pending.formats])}`);
  }
  const codec = negotiatedCodec(chosen.name, chosen.format);
  const media = negotiatedMedia(profile, codec, session, m);
  const events = answered.map(ours).filter((f): f is OfferedFormat => f !== undefined && f.name === 'telephone-event');
  const te = chooseTelephoneEvent(events, codec.clockRate);
  if (te !== undefined) media.telephoneEvent = te;
  const ext = (m.ext ?? []).find((e) => e.uri === AUDIO_LEVEL_URI && Number(e.value) >= 1 && Number(e.value) <= 255);
  if (ext !== undefined) media.audioLevelExtId = Number(ext.value);
  if (pending.localKey !== undefined) media.srtp = { local: pending.localKey, remote: answerKey(pending.localKey, crypto[0] ?? []) };
  return media;
}

/** The remote's key from the answer's a=crypto line for our tag (RFC 4568 §5.1.2). */
function answerKey(ours: SdesKey, lines: string[]): SdesKey {
  if (lines.length === 0) throw sdpError('answer has no a=crypto line although we offered SDES-SRTP');
  const results = lines.map(parseSdesCrypto);
  const forTag = results.find((r) => (r.ok ? r.key.tag : r.tag) === ours.tag);
  if (forTag === undefined) throw sdpError(`answer has no a=crypto line for our tag ${ours.tag}`);
  if (!forTag.ok) throw sdpError(`answer's a=crypto line cannot be used: ${forTag.reason}`);
  if (forTag.key.suite !== ours.suite) throw sdpError(`answer's a=crypto suite ${forTag.suiteName} is not the offered ${ours.suite}`);
  return forTag.key;
}
