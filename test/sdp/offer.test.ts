import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { answerOffer } from '../../src/sdp/answer.js';
import { completeOffer, createOffer } from '../../src/sdp/offer.js';
import { formatSdesCrypto, generateSdesKey, parseSdesKey } from '../../src/sdp/sdesCrypto.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { LOCAL, expectSdpError, sdp } from './fixtures.js';

const REMOTE_HEAD = ['v=0', 'o=- 99 1 IN IP4 203.0.113.5', 's=-', 'c=IN IP4 203.0.113.5', 't=0 0'];

describe('createOffer', () => {
  it('offers opus, PCMU, PCMA and both telephone-events, ptime 20, rtcp-mux, sendrecv', () => {
    const { offerSdp, pending } = createOffer(LOCAL);
    const s = parse(offerSdp);
    expect(s.origin).toMatchObject({ sessionId: 1700000000, sessionVersion: 1, address: '10.1.2.3' });
    const m = s.media[0];
    expect(m).toMatchObject({ type: 'audio', port: 40000, protocol: 'RTP/AVP', ptime: 20, rtcpMux: 'rtcp-mux', direction: 'sendrecv' });
    expect(String(m.payloads)).toBe('111 0 8 110 101');
    expect(m.rtp).toEqual([
      { payload: 111, codec: 'opus', rate: 48000, encoding: 2 },
      { payload: 0, codec: 'PCMU', rate: 8000 },
      { payload: 8, codec: 'PCMA', rate: 8000 },
      { payload: 110, codec: 'telephone-event', rate: 48000 },
      { payload: 101, codec: 'telephone-event', rate: 8000 },
    ]);
    expect(m.fmtp.find((f) => f.payload === 111)?.config).toBe('useinbandfec=1;stereo=0;sprop-stereo=0');
    expect(m.ssrcs?.[0]).toEqual({ id: 0x11223344, attribute: 'cname', value: 'room@roomtone' });
    expect(m.ext).toEqual([{ value: 1, uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' }]);
    expect(m.crypto).toBeUndefined();
    expect(pending.profile).toBe('RTP/AVP');
    expect(pending.localKey).toBeUndefined();
  });

  it('offers RTP/SAVP with our key when asked for SRTP', () => {
    const { offerSdp, pending } = createOffer({ ...LOCAL, srtp: 'AES_CM_128_HMAC_SHA1_80' });
    const m = parse(offerSdp).media[0];
    expect(m.protocol).toBe('RTP/SAVP');
    const key = parseSdesKey(`${m.crypto?.[0].id} ${m.crypto?.[0].suite} ${m.crypto?.[0].config}`);
    expect(key.tag).toBe(1);
    expect(key.key.equals(pending.localKey!.key)).toBe(true);
  });

  it('follows local.codecs, leaving out telephone-event/48000 without opus', () => {
    const m = parse(createOffer({ ...LOCAL, codecs: ['PCMA', 'PCMU'], srtp: false }).offerSdp).media[0];
    expect(String(m.payloads)).toBe('8 0 101');
  });

  it('validates its arguments', () => {
    expectInvalidArgument(() => createOffer({ ...LOCAL, srtp: 'NULL' as 'AEAD_AES_128_GCM' }), 'srtp');
    expectInvalidArgument(() => createOffer({ ...LOCAL, rtpPort: 65536 }), 'rtpPort');
  });
});

describe('completeOffer', () => {
  it('takes a SIPp-style PCMU answer without rtcp-mux', () => {
    const { pending } = createOffer(LOCAL);
    const media = completeOffer(pending, sdp(...REMOTE_HEAD, 'm=audio 6000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000', 'a=ptime:30'));
    expect(media).toEqual({
      profile: 'RTP/AVP',
      codec: { name: 'PCMU', payloadType: 0, clockRate: 8000, channels: 1 },
      telephoneEvent: { payloadType: 101, clockRate: 8000 },
      ptimeMs: 30,
      rtcpMux: false,
      direction: 'sendrecv',
      remote: { address: '203.0.113.5', rtpPort: 6000, rtcpPort: 6001 },
    });
  });

  it('takes an opus answer with its fmtp, rtcp-mux, ssrc, audio level and recvonly', () => {
    const { pending } = createOffer(LOCAL);
    const media = completeOffer(pending, sdp(
      ...REMOTE_HEAD, 'm=audio 7000 RTP/AVP 111 110', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 useinbandfec=1;maxaveragebitrate=20000',
      'a=rtpmap:110 telephone-event/48000', 'a=rtcp-mux', 'a=recvonly', 'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level', 'a=ssrc:1234 cname:x',
    ));
    expect(media.codec).toEqual({ name: 'opus', payloadType: 111, clockRate: 48000, channels: 1, opus: { useInbandFec: true, useDtx: false, stereo: false, maxAverageBitrate: 20000 } });
    expect(media.telephoneEvent).toEqual({ payloadType: 110, clockRate: 48000 });
    expect(media).toMatchObject({ rtcpMux: true, direction: 'sendonly', audioLevelExtId: 1, remote: { rtpPort: 7000, rtcpPort: 7000, ssrc: 1234 } });
  });

  it('takes the answerer\'s key on SRTP and keeps ours', () => {
    const { pending } = createOffer({ ...LOCAL, srtp: 'AES_CM_128_HMAC_SHA1_32' });
    const theirs = generateSdesKey('AES_CM_128_HMAC_SHA1_32', 1);
    const media = completeOffer(pending, sdp(...REMOTE_HEAD, 'm=audio 7000 RTP/SAVP 8', `a=crypto:${formatSdesCrypto(theirs)}`));
    expect(media.srtp?.local).toBe(pending.localKey);
    expect(media.srtp?.remote.key.equals(theirs.key)).toBe(true);
  });

  it('round-trips with our own answerer: each side decrypts with the other\'s key', () => {
    const { offerSdp, pending } = createOffer({ ...LOCAL, srtp: 'AEAD_AES_128_GCM' });
    const far = answerOffer(offerSdp, { address: '10.9.9.9', rtpPort: 50000, ssrc: 99, sessionId: 5 });
    expect(far.media).toMatchObject({ codec: { name: 'opus', payloadType: 111 }, telephoneEvent: { payloadType: 110 }, rtcpMux: true, audioLevelExtId: 1, remote: { address: '10.1.2.3', rtpPort: 40000, ssrc: 0x11223344 } });
    const near = completeOffer(pending, far.answerSdp);
    expect(near).toMatchObject({ profile: 'RTP/SAVP', codec: { name: 'opus', payloadType: 111, opus: { useInbandFec: true } }, rtcpMux: true, remote: { address: '10.9.9.9', rtpPort: 50000, rtcpPort: 50000, ssrc: 99 } });
    expect(near.srtp!.remote.key.equals(far.media.srtp!.local.key)).toBe(true);
    expect(far.media.srtp!.remote.key.equals(near.srtp!.local.key)).toBe(true);
  });

  it.each<[string, string[], RegExp]>([
    ['a rejected stream', ['m=audio 0 RTP/AVP 0'], /rejected the audio stream \(port 0\)/],
    ['a payload type we did not offer', ['m=audio 7000 RTP/AVP 9'], /picked no payload type we offered: it answered G722\/8000 \(9\); we offered opus/],
    ['our pt remapped to another codec', ['m=audio 7000 RTP/AVP 111', 'a=rtpmap:111 G7221/16000'], /picked no payload type we offered/],
    ['a changed profile', ['m=audio 7000 RTP/SAVP 0'], /profile RTP\/SAVP does not match the offer's RTP\/AVP/],
    ['two m= lines', ['m=audio 7000 RTP/AVP 0', 'm=video 0 RTP/AVP 96'], /answer has 2 m= lines; the offer had 1/],
    ['video instead of audio', ['m=video 7000 RTP/AVP 0'], /answer's m= line is video/],
  ])('refuses %s', (_name, lines, reason) => {
    expectSdpError(() => completeOffer(createOffer(LOCAL).pending, sdp(...REMOTE_HEAD, ...lines)), reason);
  });

  it('refuses SRTP answers that do not fit our crypto offer', () => {
    const { pending } = createOffer({ ...LOCAL, srtp: 'AES_CM_128_HMAC_SHA1_80' });
    const answer = (...lines: string[]) => sdp(...REMOTE_HEAD, 'm=audio 7000 RTP/SAVP 0', ...lines);
    expectSdpError(() => completeOffer(pending, answer()), /no a=crypto line although we offered/);
    expectSdpError(() => completeOffer(pending, answer(`a=crypto:${formatSdesCrypto(generateSdesKey('AES_CM_128_HMAC_SHA1_80', 2))}`)), /no a=crypto line for our tag 1/);
    expectSdpError(() => completeOffer(pending, answer(`a=crypto:${formatSdesCrypto(generateSdesKey('AES_CM_128_HMAC_SHA1_32', 1))}`)), /suite AES_CM_128_HMAC_SHA1_32 is not the offered/);
    expectSdpError(() => completeOffer(pending, answer('a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA')), /cannot be used: .*needs 30 bytes/);
    expectSdpError(() => completeOffer(pending, 'v=0\r\n'), /answer has no m= line/);
  });
});
