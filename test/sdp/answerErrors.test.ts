import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.js';
import { answerOffer } from '../../src/sdp/answer.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { CHROME, LOCAL, SAVP_PHONE, expectSdpError, keyB64, plainOffer, sdp } from './fixtures.js';

const HEAD = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'];
const AUDIO = ['m=audio 30000 RTP/AVP 0'];

describe('answerOffer refuses bad offers, naming the problem', () => {
  it.each<[string, unknown, RegExp]>([
    ['not a string', 42, /offer must be a string/],
    ['empty', '\r\n', /offer is empty/],
    ['no v= first', sdp(...HEAD.slice(1), ...AUDIO), /first line must be v=0/],
    ['a line that is not type=value', sdp(...HEAD, 'hello', ...AUDIO), /line 6 "hello" is not <type>=<value>/],
    ['no o=', sdp(HEAD[0], ...HEAD.slice(2), ...AUDIO), /missing o= before the first m= line/],
    ['no s= and no t=', sdp(HEAD[0], HEAD[1], HEAD[3], ...AUDIO), /missing s=, t= before the first m= line/],
    ['a bad o= line', sdp('v=0', 'o=alice', ...HEAD.slice(2), ...AUDIO), /bad o= line "o=alice"/],
    ['a bad c= line', sdp(...HEAD, 'm=audio 30000 RTP/AVP 0', 'c=IN IP4'), /bad c= line/],
    ['a bad m= line', sdp(...HEAD, 'm=audio port RTP/AVP 0'), /bad m= line/],
    ['no m= line', sdp(...HEAD), /offer has no m= line/],
    ['no audio m= line', sdp(...HEAD, 'm=video 30000 RTP/AVP 96'), /no audio m= line \(it offers video\)/],
    ['only rejected audio', sdp(...HEAD, 'm=audio 0 RTP/AVP 0'), /no active audio m= line/],
    ['an unsupported transport', sdp(...HEAD, 'm=audio 30000 TCP/RTP/AVP 0'), /transport TCP\/RTP\/AVP is not supported/],
    ['a port out of range', sdp(...HEAD, 'm=audio 70000 RTP/AVP 0'), /audio port 70000 is out of range/],
    ['an a=rtcp port out of range', sdp(...HEAD, ...AUDIO, 'a=rtcp:0'), /a=rtcp port 0 is out of range/],
    ['no connection address', sdp(HEAD[0], HEAD[1], HEAD[2], HEAD[4], ...AUDIO), /no connection address \(c=\)/],
    ['an IPv6 connection', sdp(...HEAD, ...AUDIO, 'c=IN IP6 2001:db8::1'), /IPv6, which is not supported/],
    ['a host name connection', sdp(...HEAD, ...AUDIO, 'c=IN IP4 pbx.example.com'), /"pbx.example.com" is not an IPv4 literal/],
    ['a multicast connection', sdp(...HEAD, ...AUDIO, 'c=IN IP4 233.252.0.1'), /multicast/],
    ['a bad a=ssrc', sdp(...HEAD, ...AUDIO, 'a=ssrc:99999999999 cname:x'), /a=ssrc 99999999999 is not a 32-bit value/],
  ])('%s', (_name, offer, reason) => {
    expectSdpError(() => answerOffer(offer as string, LOCAL), reason);
  });

  it('no acceptable codec: lists what was offered and what we take', () => {
    const offer = sdp(...HEAD, 'm=audio 30000 RTP/AVP 9 3 96 97 98', 'a=rtpmap:96 opus/48000/1', 'a=rtpmap:97 PCMU/16000');
    expectSdpError(
      () => answerOffer(offer, LOCAL),
      /no acceptable codec: offered G722\/8000 \(9\), GSM\/8000 \(3\), opus\/48000\/1 \(96\), PCMU\/16000 \(97\), 98 \(no rtpmap\); we accept opus\/48000\/2, PCMU\/8000, PCMA\/8000/,
    );
    expectSdpError(() => answerOffer(plainOffer(), { ...LOCAL, codecs: ['PCMA'] }), /offered opus\/48000\/2 \(111\), PCMU\/8000 \(0\).*we accept PCMA\/8000$/);
  });

  it('RTP/SAVP without a=crypto', () => {
    expectSdpError(() => answerOffer(sdp(...HEAD, 'm=audio 30000 RTP/SAVP 0'), LOCAL), /RTP\/SAVP but has no a=crypto line/);
  });

  it('RTP/SAVP whose crypto lines we cannot honour, with each reason', () => {
    const offer = sdp(
      ...HEAD, 'm=audio 30000 RTP/SAVP 0',
      `a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${keyB64(1, 46)}`,
      `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(2)}|2^31|1:4`,
    );
    expectSdpError(
      () => answerOffer(offer, LOCAL),
      /no a=crypto line we support on RTP\/SAVP \(tag 1: suite AES_256_CM_HMAC_SHA1_80 is not supported; tag 2: MKI 1:4 is not supported/,
    );
  });

  it('falls back to plain RTP when RTP/AVP carries only crypto we cannot use', () => {
    const offer = sdp(...HEAD, ...AUDIO, `a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${keyB64(1, 46)}`);
    const { media, answerSdp } = answerOffer(offer, LOCAL);
    expect(media.srtp).toBeUndefined();
    expect(answerSdp).not.toMatch(/a=crypto/);
  });

  it('a WebRTC offer is an UnsupportedError that says so', () => {
    expect(() => answerOffer(CHROME, LOCAL)).toThrow(UnsupportedError);
    expect(() => answerOffer(CHROME, LOCAL)).toThrow(/WebRTC.*UDP\/TLS\/RTP\/SAVPF.*isWebRtcOffer/);
  });

  it('validates our own side first', () => {
    expectInvalidArgument(() => answerOffer(SAVP_PHONE, { ...LOCAL, address: '::1' }), 'address');
    expectInvalidArgument(() => answerOffer(SAVP_PHONE, { ...LOCAL, rtpPort: 0 }), 'rtpPort');
    expectInvalidArgument(() => answerOffer(SAVP_PHONE, { ...LOCAL, ssrc: 2 ** 32 }), 'ssrc');
    expectInvalidArgument(() => answerOffer(SAVP_PHONE, { ...LOCAL, sessionId: 'abc' }), 'sessionId');
    expectInvalidArgument(() => answerOffer(SAVP_PHONE, { ...LOCAL, sessionVersion: -1 }), 'sessionVersion');
    expectInvalidArgument(() => answerOffer(SAVP_PHONE, { ...LOCAL, cname: 'a b\r\na=evil' }), 'cname');
    expectInvalidArgument(() => answerOffer(SAVP_PHONE, { ...LOCAL, codecs: [] }), 'codecs');
    expectInvalidArgument(() => answerOffer(SAVP_PHONE, { ...LOCAL, codecs: ['G722' as 'opus'] }), 'codecs');
  });
});
