import { parse, type MediaDescription } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { answerOffer, isWebRtcOffer } from '../../src/sdp/answer.js';
import { parseSdesKey } from '../../src/sdp/sdesCrypto.js';
import { BARESIP, CHROME, FFMPEG_OPUS, FFMPEG_SRTP_OPUS, FFMPEG_SRTP_PCMU, GSTREAMER, LINPHONE, LOCAL, SAVP_PHONE, SIPP, plainOffer, sdp } from './fixtures.js';

/** The answer parsed back, with its one accepted audio m= line. */
function parsed(answerSdp: string): { session: ReturnType<typeof parse>; audio: MediaDescription } {
  expect(answerSdp.endsWith('\r\n')).toBe(true);
  const session = parse(answerSdp);
  const audio = session.media.find((m) => m.port !== 0);
  if (audio === undefined) throw new Error('no accepted m= line');
  return { session, audio };
}
const pts = (m: MediaDescription): number[] => String(m.payloads).split(' ').map(Number);
const cryptoOf = (m: MediaDescription): string => `${m.crypto?.[0].id} ${m.crypto?.[0].suite} ${m.crypto?.[0].config}`;

describe('answerOffer: real clients', () => {
  it('answers an ffmpeg opus offer with our address, port and opus first', () => {
    const { media, answerSdp } = answerOffer(FFMPEG_OPUS, LOCAL);
    expect(media).toMatchObject({
      profile: 'RTP/AVP',
      codec: { name: 'opus', payloadType: 97, clockRate: 48000, channels: 1, opus: { useInbandFec: false, useDtx: false, stereo: false } },
      ptimeMs: 20,
      rtcpMux: false,
      direction: 'sendrecv',
      remote: { address: '127.0.0.1', rtpPort: 5004, rtcpPort: 5005 },
    });
    expect(media.srtp).toBeUndefined();
    expect(media.telephoneEvent).toBeUndefined();
    const { session, audio } = parsed(answerSdp);
    expect(session.origin).toMatchObject({ sessionId: 1700000000, sessionVersion: 1, address: '10.1.2.3' });
    expect(session.connection?.ip).toBe('10.1.2.3');
    expect(audio).toMatchObject({ port: 40000, protocol: 'RTP/AVP', direction: 'sendrecv', ptime: 20 });
    expect(pts(audio)).toEqual([97]);
    expect(audio.rtp).toEqual([{ payload: 97, codec: 'opus', rate: 48000, encoding: 2 }]);
    expect(audio.fmtp[0].config).toBe('stereo=0;sprop-stereo=0');
    expect(audio.ssrcs).toEqual([{ id: 0x11223344, attribute: 'cname', value: 'room@roomtone' }]);
    expect(audio.rtcpMux).toBeUndefined();
  });

  it('negotiates SDES on ffmpeg RTP/AVP + a=crypto: same tag and suite, our own key, profile mirrored', () => {
    const { media, answerSdp } = answerOffer(FFMPEG_SRTP_OPUS, LOCAL);
    expect(media.profile).toBe('RTP/AVP');
    expect(media.srtp?.remote).toEqual(parseSdesKey('1 AES_CM_128_HMAC_SHA1_80 inline:zRdjqsYOTGx7QW9Bv4JE5NpM+TeFFHW9Bo3gR8Xm'));
    const { audio } = parsed(answerSdp);
    expect(audio.protocol).toBe('RTP/AVP');
    expect(audio.crypto).toHaveLength(1);
    expect(audio.crypto?.[0]).toMatchObject({ id: 1, suite: 'AES_CM_128_HMAC_SHA1_80' });
    const ours = parseSdesKey(cryptoOf(audio));
    expect(ours.key.equals(media.srtp!.local.key) && ours.salt.equals(media.srtp!.local.salt)).toBe(true);
    expect(ours.key.equals(media.srtp!.remote.key)).toBe(false);
  });

  it('takes ffmpeg PCMU by static payload type 0 and echoes its SRTP_AES128 suite spelling', () => {
    const { media, answerSdp } = answerOffer(FFMPEG_SRTP_PCMU, LOCAL);
    expect(media.codec).toEqual({ name: 'PCMU', payloadType: 0, clockRate: 8000, channels: 1 });
    expect(media.srtp?.local.suite).toBe('AES_CM_128_HMAC_SHA1_32');
    const { audio } = parsed(answerSdp);
    expect(pts(audio)).toEqual([0]);
    expect(audio.rtp).toEqual([{ payload: 0, codec: 'PCMU', rate: 8000 }]);
    expect(audio.crypto?.[0]).toMatchObject({ id: 1, suite: 'SRTP_AES128_CM_HMAC_SHA1_32' });
  });

  it('picks opus out of Linphone\'s list, mirrors useinbandfec and pairs telephone-event/48000', () => {
    const { media, answerSdp } = answerOffer(LINPHONE, LOCAL);
    expect(media.codec).toMatchObject({ name: 'opus', payloadType: 96, opus: { useInbandFec: true, useDtx: true } });
    expect(media.telephoneEvent).toEqual({ payloadType: 101, clockRate: 48000 });
    const { audio } = parsed(answerSdp);
    expect(pts(audio)).toEqual([96, 101]);
    expect(audio.fmtp.find((f) => f.payload === 96)?.config).toBe('useinbandfec=1;stereo=0;sprop-stereo=0');
    expect(audio.rtp.find((r) => r.payload === 101)).toMatchObject({ codec: 'telephone-event', rate: 48000 });
  });

  it('honours the offerer\'s codec order and our codec list', () => {
    expect(answerOffer(LINPHONE, { ...LOCAL, codecs: ['PCMA', 'PCMU'] }).media).toMatchObject({
      codec: { name: 'PCMU', payloadType: 0 },
      telephoneEvent: { payloadType: 100, clockRate: 8000 },
    });
  });

  it('answers baresip\'s stereo opus in mono, keeps its bitrate cap, rtcp-mux and ssrc; te/8000 pairs with opus', () => {
    const { media, answerSdp } = answerOffer(BARESIP, LOCAL);
    expect(media.codec.opus).toEqual({ useInbandFec: false, useDtx: false, stereo: true, maxAverageBitrate: 28000 });
    expect(media.codec.channels).toBe(1);
    expect(media.telephoneEvent).toEqual({ payloadType: 101, clockRate: 8000 });
    expect(media.rtcpMux).toBe(true);
    expect(media.remote).toEqual({ address: '10.0.0.5', rtpPort: 10000, rtcpPort: 10000, ssrc: 3004364195 });
    const { audio } = parsed(answerSdp);
    expect(audio.rtcpMux).toBe('rtcp-mux');
    expect(audio.fmtp.find((f) => f.payload === 116)?.config).toBe('stereo=0;sprop-stereo=0');
  });

  it('accepts GStreamer\'s upper-case OPUS and a c= line only at media level', () => {
    const { media, answerSdp } = answerOffer(GSTREAMER, LOCAL);
    expect(media.codec).toMatchObject({ name: 'opus', payloadType: 96 });
    expect(media.remote).toEqual({ address: '127.0.0.2', rtpPort: 5002, rtcpPort: 5003, ssrc: 3735928559 });
    expect(parsed(answerSdp).audio.rtp[0].codec).toBe('opus');
  });

  it('answers a SIPp PCMU offer with LF line ends', () => {
    const { media, answerSdp } = answerOffer(SIPP, { ...LOCAL, sessionId: 7 });
    expect(media).toMatchObject({ codec: { name: 'PCMU', payloadType: 0 }, remote: { address: '127.0.1.1', rtpPort: 6000 } });
    expect(parse(answerSdp).origin.sessionId).toBe(7);
  });

  it('picks the first SDES line it can honour on RTP/SAVP, answers with its tag, and clamps ptime 40', () => {
    const { media, answerSdp } = answerOffer(SAVP_PHONE, LOCAL);
    expect(media.profile).toBe('RTP/SAVP');
    expect(media.codec.name).toBe('PCMA');
    expect(media.ptimeMs).toBe(40);
    expect(media.srtp?.remote).toMatchObject({ tag: 2, suite: 'AES_CM_128_HMAC_SHA1_80' });
    expect(media.srtp?.remote.key.equals(Buffer.alloc(16, 2))).toBe(true);
    expect(media.srtp?.local.tag).toBe(2);
    const { audio } = parsed(answerSdp);
    expect(audio.protocol).toBe('RTP/SAVP');
    expect(audio.crypto?.map((c) => [c.id, c.suite])).toEqual([[2, 'AES_CM_128_HMAC_SHA1_80']]);
    expect(audio.ptime).toBe(40);
  });
});

describe('answerOffer: transport and direction details', () => {
  it('uses a=rtcp (RFC 3605) for the RTCP port, and the RTP port once rtcp-mux is on', () => {
    expect(answerOffer(plainOffer(['a=rtcp:20011']), LOCAL).media.remote.rtcpPort).toBe(20011);
    expect(answerOffer(plainOffer(['a=rtcp:20011 IN IP4 192.0.2.10', 'a=rtcp-mux']), LOCAL).media.remote.rtcpPort).toBe(20000);
  });

  it('prefers a media-level c= over the session one', () => {
    expect(answerOffer(plainOffer(['c=IN IP4 198.51.100.7']), LOCAL).media.remote.address).toBe('198.51.100.7');
  });

  it.each([
    ['sendonly', 'recvonly'],
    ['recvonly', 'sendonly'],
    ['inactive', 'inactive'],
    ['sendrecv', 'sendrecv'],
  ])('mirrors a=%s as %s in media and in the answer', (theirs, ours) => {
    const { media, answerSdp } = answerOffer(plainOffer([`a=${theirs}`]), LOCAL);
    expect(media.direction).toBe(ours);
    expect(parsed(answerSdp).audio.direction).toBe(ours);
  });

  it('takes a session-level direction when the m= line has none', () => {
    const offer = plainOffer([], ['c=IN IP4 192.0.2.10', 'a=sendonly']);
    expect(answerOffer(offer, LOCAL).media.direction).toBe('recvonly');
  });

  it('treats c=0.0.0.0 as hold: we do not send', () => {
    const { media } = answerOffer(plainOffer([], ['c=IN IP4 0.0.0.0']), LOCAL);
    expect(media.direction).toBe('recvonly');
    expect(media.remote.address).toBe('0.0.0.0');
    expect(answerOffer(plainOffer(['a=recvonly'], ['c=IN IP4 0.0.0.0']), LOCAL).media.direction).toBe('inactive');
  });

  it.each([
    [undefined, 'opus', 20], ['40', 'opus', 40], ['30', 'opus', 20], ['5', 'opus', 10], ['120', 'opus', 60],
    ['30', 'PCMU', 30], ['25', 'PCMU', 20], ['200', 'PCMU', 60],
  ])('ptime %s for %s sends at %i ms', (ptime, codec, expected) => {
    const lines = ptime === undefined ? [] : [`a=ptime:${ptime}`];
    const local = { ...LOCAL, codecs: [codec as 'opus' | 'PCMU'] };
    expect(answerOffer(plainOffer(lines), local).media.ptimeMs).toBe(expected);
  });

  it('keeps under a=maxptime', () => {
    expect(answerOffer(plainOffer(['a=ptime:60', 'a=maxptime:40']), LOCAL).media.ptimeMs).toBe(40);
  });

  it('mirrors the RFC 6464 audio-level extension and the mid', () => {
    const { media, answerSdp } = answerOffer(plainOffer(['a=mid:audio', 'a=extmap:3 urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on']), LOCAL);
    expect(media.audioLevelExtId).toBe(3);
    const { audio } = parsed(answerSdp);
    expect(audio.ext).toEqual([{ value: 3, uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' }]);
    expect(audio.mid).toBe('audio');
  });

  it('uses the first active audio m= line and answers the others with port 0', () => {
    const offer = sdp(
      'v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0',
      'm=video 30000 RTP/AVP 96', 'a=rtpmap:96 VP8/90000',
      'm=audio 0 RTP/AVP 0',
      'm=audio 30002 RTP/AVP 8', 'm=audio 30004 RTP/AVP 0',
    );
    const { media, answerSdp } = answerOffer(offer, LOCAL);
    expect(media.codec.name).toBe('PCMA');
    expect(media.remote.rtpPort).toBe(30002);
    const session = parse(answerSdp);
    expect(session.media.map((m) => [m.type, m.port, String(m.payloads)])).toEqual([
      ['video', 0, '96'], ['audio', 0, '0'], ['audio', 40000, '8'], ['audio', 0, '0'],
    ]);
  });

  it('accepts RTP/AVPF and mirrors it', () => {
    const offer = plainOffer().replace('RTP/AVP', 'RTP/AVPF');
    const { media, answerSdp } = answerOffer(offer, LOCAL);
    expect(media.profile).toBe('RTP/AVPF');
    expect(parsed(answerSdp).audio.protocol).toBe('RTP/AVPF');
  });
});

describe('isWebRtcOffer', () => {
  it('recognises a browser offer and nothing else', () => {
    expect(isWebRtcOffer(CHROME)).toBe(true);
    expect(isWebRtcOffer(CHROME.replace('UDP/TLS/RTP/SAVPF', 'RTP/SAVPF'))).toBe(true); // ICE + fingerprint
    for (const offer of [FFMPEG_OPUS, FFMPEG_SRTP_OPUS, LINPHONE, BARESIP, GSTREAMER, SIPP, SAVP_PHONE]) {
      expect(isWebRtcOffer(offer)).toBe(false);
    }
    expect(isWebRtcOffer('')).toBe(false);
    expect(isWebRtcOffer(42 as unknown as string)).toBe(false);
  });
});
