// A new offer on a running session (re-INVITE): hold/unhold, a moved remote, a new remote key.
import type { SdesKey } from '../srtp/SrtpSuite.js';
import { negotiateAnswer } from './answer.js';
import type { LocalMediaConfig, NegotiatedMedia } from './NegotiatedMedia.js';
import { sdpError } from './sdpSyntax.js';

export interface ReofferChanges {
  /** Our direction changed (hold: sendonly/inactive/0.0.0.0 from the remote; unhold back). */
  direction: boolean;
  /** Where we send changed: address, RTP or RTCP port, rtcp-mux, or the announced SSRC. */
  remote: boolean;
  /** Codec, its payload type or parameters, telephone-event or the packetisation changed. */
  codec: boolean;
  /** SRTP keys changed (the remote's key, or our key because the suite changed): rebuild contexts. */
  srtp: boolean;
}

export interface ReofferResult {
  media: NegotiatedMedia;
  answerSdp: string;
  changed: ReofferChanges;
}

/**
 * Answers a re-offer. Rules beyond answerOffer's:
 * - the running codec is kept while the offer still lists it (no codec switch on hold/unhold);
 * - our SDES key is kept (under the tag the remote chose now) as long as the suite is the same,
 *   even when the remote changed its own key; a new suite gets a new key of ours;
 * - an offer that drops SRTP from an SRTP session is refused (no silent downgrade);
 * - local.sessionVersion should be one more than in our previous SDP (RFC 3264 §8).
 */
export function answerReoffer(current: NegotiatedMedia, offerSdp: string, local: LocalMediaConfig): ReofferResult {
  const { media, answerSdp } = negotiateAnswer(offerSdp, local, {
    preferCodec: current.codec.name,
    ...(current.srtp === undefined ? {} : { keepLocalKey: current.srtp.local }),
  });
  if (current.srtp !== undefined && media.srtp === undefined) {
    throw sdpError('re-offer drops the SRTP the session negotiated (no a=crypto we can use)');
  }
  return { media, answerSdp, changed: compare(current, media) };
}

function compare(a: NegotiatedMedia, b: NegotiatedMedia): ReofferChanges {
  const remote =
    a.remote.address !== b.remote.address ||
    a.remote.rtpPort !== b.remote.rtpPort ||
    a.remote.rtcpPort !== b.remote.rtcpPort ||
    a.remote.ssrc !== b.remote.ssrc ||
    a.rtcpMux !== b.rtcpMux;
  const codec =
    JSON.stringify(a.codec) !== JSON.stringify(b.codec) ||
    a.telephoneEvent?.payloadType !== b.telephoneEvent?.payloadType ||
    a.telephoneEvent?.clockRate !== b.telephoneEvent?.clockRate ||
    a.ptimeMs !== b.ptimeMs ||
    a.profile !== b.profile;
  const srtp = !sameKey(a.srtp?.remote, b.srtp?.remote) || !sameKey(a.srtp?.local, b.srtp?.local);
  return { direction: a.direction !== b.direction, remote, codec, srtp };
}

/** Same keying material (the tag only names the line, it does not change the SRTP context). */
function sameKey(x: SdesKey | undefined, y: SdesKey | undefined): boolean {
  if (x === undefined || y === undefined) return x === y;
  return x.suite === y.suite && x.key.equals(y.key) && x.salt.equals(y.salt);
}
