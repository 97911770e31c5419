// Offers written the way real endpoints write them (ffmpeg's output is verbatim from
// `ffmpeg -f rtp -sdp_file` on this machine; the others follow those clients' SDP habits).
import type { LocalMediaConfig } from '../../src/sdp/NegotiatedMedia.js';
import { expectInvalidArgument } from '../helpers/errors.js';

export const sdp = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;

/** base64 of `n` bytes of value `fill`: a recognisable key||salt. */
export const keyB64 = (fill: number, n = 30): string => Buffer.alloc(n, fill).toString('base64');

export const LOCAL: LocalMediaConfig = { address: '10.1.2.3', rtpPort: 40000, ssrc: 0x11223344, sessionId: '1700000000', sessionVersion: 1, cname: 'room@roomtone' };

export const FFMPEG_OPUS = sdp(
  'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=No Name', 'c=IN IP4 127.0.0.1', 't=0 0', 'a=tool:libavformat LIBAVFORMAT_VERSION',
  'm=audio 5004 RTP/AVP 97', 'b=AS:64', 'a=rtpmap:97 opus/48000/2', 'a=fmtp:97 sprop-stereo=0',
);

/** ffmpeg -srtp_out_suite AES_CM_128_HMAC_SHA1_80: RTP/AVP with a=crypto. */
export const FFMPEG_SRTP_OPUS = sdp(
  'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=No Name', 'c=IN IP4 127.0.0.1', 't=0 0', 'a=tool:libavformat LIBAVFORMAT_VERSION',
  'm=audio 5004 RTP/AVP 97', 'b=AS:64', 'a=rtpmap:97 opus/48000/2',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:zRdjqsYOTGx7QW9Bv4JE5NpM+TeFFHW9Bo3gR8Xm',
);

/** ffmpeg -c:a pcm_mulaw -srtp_out_suite SRTP_AES128_CM_HMAC_SHA1_32: one static pt, no rtpmap, DTLS suite spelling. */
export const FFMPEG_SRTP_PCMU = sdp(
  'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=No Name', 'c=IN IP4 127.0.0.1', 't=0 0', 'a=tool:libavformat LIBAVFORMAT_VERSION',
  'm=audio 5006 RTP/AVP 0', 'b=AS:64',
  'a=crypto:1 SRTP_AES128_CM_HMAC_SHA1_32 inline:zRdjqsYOTGx7QW9Bv4JE5NpM+TeFFHW9Bo3gR8Xm',
);

/** Linphone: many codecs, opus not first among what it lists, three telephone-event rates. */
export const LINPHONE = sdp(
  'v=0', 'o=alice 2890 3014 IN IP4 192.168.1.20', 's=Talk', 'c=IN IP4 192.168.1.20', 't=0 0',
  'a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics',
  'm=audio 7078 RTP/AVP 97 96 0 8 18 101 99 100',
  'a=rtpmap:97 speex/16000', 'a=fmtp:97 vbr=on', 'a=rtpmap:96 opus/48000/2', 'a=fmtp:96 useinbandfec=1; usedtx=1',
  'a=fmtp:18 annexb=yes', 'a=rtpmap:101 telephone-event/48000', 'a=rtpmap:99 telephone-event/16000',
  'a=rtpmap:100 telephone-event/8000', 'a=rtcp-fb:* trr-int 1000', 'a=rtcp-fb:* ccm tmmbr',
);

/** baresip: stereo opus first, G.711, telephone-event/8000 only, rtcp-mux, a=ssrc. */
export const BARESIP = sdp(
  'v=0', 'o=- 1193851476 2395836371 IN IP4 10.0.0.5', 's=-', 'c=IN IP4 10.0.0.5', 't=0 0',
  'm=audio 10000 RTP/AVP 116 0 8 101', 'b=AS:96',
  'a=rtpmap:116 opus/48000/2', 'a=fmtp:116 stereo=1;sprop-stereo=1;maxaveragebitrate=28000',
  'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15',
  'a=sendrecv', 'a=label:1', 'a=rtcp-rsize', 'a=ssrc:3004364195 cname:5d9b0a52-6d5b-4c1c', 'a=rtcp-mux',
);

/** GStreamer (rtpopuspay caps turned into SDP): upper-case OPUS, c= only at media level, a=ssrc. */
export const GSTREAMER = sdp(
  'v=0', 'o=- 1188340656180883 1 IN IP4 127.0.0.1', 's=Session streamed with GStreamer', 'i=rtsp-server', 't=0 0',
  'a=tool:GStreamer', 'a=type:broadcast',
  'm=audio 5002 RTP/AVP 96', 'c=IN IP4 127.0.0.2', 'a=rtpmap:96 OPUS/48000/2',
  'a=fmtp:96 sprop-stereo=0;sprop-maxcapturerate=48000', 'a=ssrc:3735928559 cname:user@host',
);

/** SIPp's default uac scenario: PCMU only, LF line ends. */
export const SIPP = [
  'v=0', 'o=user1 53655765 2353687637 IN IP4 127.0.1.1', 's=-', 'c=IN IP4 127.0.1.1', 't=0 0',
  'm=audio 6000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', '',
].join('\n');

/** An SDES-SRTP desk phone: RTP/SAVP, three crypto lines of which only the second fits. */
export const SAVP_PHONE = sdp(
  'v=0', 'o=SIPUA 4120 4120 IN IP4 172.16.0.9', 's=SIP Call', 'c=IN IP4 172.16.0.9', 't=0 0',
  'm=audio 16384 RTP/SAVP 9 8 0 101', 'a=rtpmap:9 G722/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15',
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(1)}|2^31|1:4`,
  `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(2)}|2^31`,
  `a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:${keyB64(3)}`,
  'a=ptime:40', 'a=sendrecv',
);

/** A Chrome offer, cut down to what identifies it. */
export const CHROME = sdp(
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0', 'a=msid-semantic: WMS',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126', 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:khLS', 'a=ice-pwd:cxLzteJaJBou3DspNaPsJhlQ',
  'a=fingerprint:sha-256 FA:14:42:3B:C7:97:1B:E8:AE:0C:2E:39:6F:0A:2F:29:7D:1D:7A:80:2A:41:20:B6:D6:3C:A4:EC:9F:23:1F:D8',
  'a=setup:actpass', 'a=mid:0', 'a=sendrecv', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1',
);

/** A plain offer to vary: one opus stream at 192.0.2.10:20000. */
export function plainOffer(mediaLines: string[] = [], session: string[] = ['c=IN IP4 192.0.2.10']): string {
  return sdp(
    'v=0', 'o=- 42 1 IN IP4 192.0.2.10', 's=-', ...session, 't=0 0',
    'm=audio 20000 RTP/AVP 111 0 101', 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:101 telephone-event/48000', ...mediaLines,
  );
}

/** Asserts an InvalidArgumentError on field 'sdp' whose message matches `reason`. */
export function expectSdpError(call: () => unknown, reason: RegExp): void {
  expectInvalidArgument(call, 'sdp', reason);
}
