import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { answerOffer } from '../../src/sdp/answer.js';
import { answerReoffer } from '../../src/sdp/reoffer.js';
import { LOCAL, expectSdpError, keyB64, sdp } from './fixtures.js';

/** A phone's SDES offer; the re-offers vary one thing at a time. */
function phoneOffer(o: { version?: number; address?: string; port?: number; dir?: string; key?: number; pts?: string; crypto?: boolean } = {}): string {
  return sdp(
    'v=0', `o=phone 77 ${o.version ?? 1} IN IP4 198.51.100.20`, 's=-', `c=IN IP4 ${o.address ?? '198.51.100.20'}`, 't=0 0',
    `m=audio ${o.port ?? 16000} RTP/SAVP ${o.pts ?? '111 0 101'}`, 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:101 telephone-event/8000',
    ...(o.crypto === false ? [] : [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${keyB64(o.key ?? 1)}`]),
    `a=${o.dir ?? 'sendrecv'}`,
  );
}

const start = () => answerOffer(phoneOffer(), LOCAL);
const next = { ...LOCAL, sessionVersion: 2 };

describe('answerReoffer', () => {
  it('hold (sendonly) and unhold: only the direction changes, our key stays', () => {
    const first = start();
    const hold = answerReoffer(first.media, phoneOffer({ version: 2, dir: 'sendonly' }), next);
    expect(hold.media.direction).toBe('recvonly');
    expect(hold.changed).toEqual({ direction: true, remote: false, codec: false, srtp: false });
    expect(parse(hold.answerSdp).media[0].direction).toBe('recvonly');
    expect(parse(hold.answerSdp).origin.sessionVersion).toBe(2);
    expect(hold.media.srtp!.local.key.equals(first.media.srtp!.local.key)).toBe(true);
    expect(parse(hold.answerSdp).media[0].crypto?.[0].config).toBe(parse(first.answerSdp).media[0].crypto?.[0].config);

    const unhold = answerReoffer(hold.media, phoneOffer({ version: 3 }), { ...LOCAL, sessionVersion: 3 });
    expect(unhold.media.direction).toBe('sendrecv');
    expect(unhold.changed).toEqual({ direction: true, remote: false, codec: false, srtp: false });
  });

  it('inactive and c=0.0.0.0 holds', () => {
    const first = start();
    expect(answerReoffer(first.media, phoneOffer({ dir: 'inactive' }), next).media.direction).toBe('inactive');
    const old = answerReoffer(first.media, phoneOffer({ address: '0.0.0.0' }), next);
    expect(old.media.direction).toBe('recvonly');
    expect(old.changed).toMatchObject({ direction: true, remote: true });
  });

  it('an unchanged re-offer changes nothing', () => {
    const first = start();
    expect(answerReoffer(first.media, phoneOffer({ version: 2 }), next).changed).toEqual({ direction: false, remote: false, codec: false, srtp: false });
  });

  it('a new remote port or key is reported; our key is kept even then', () => {
    const first = start();
    const moved = answerReoffer(first.media, phoneOffer({ port: 16002 }), next);
    expect(moved.changed).toEqual({ direction: false, remote: true, codec: false, srtp: false });
    expect(moved.media.remote).toMatchObject({ rtpPort: 16002, rtcpPort: 16003 });

    const rekeyed = answerReoffer(first.media, phoneOffer({ key: 5 }), next);
    expect(rekeyed.changed.srtp).toBe(true);
    expect(rekeyed.media.srtp!.remote.key.equals(Buffer.alloc(16, 5))).toBe(true);
    expect(rekeyed.media.srtp!.local.key.equals(first.media.srtp!.local.key)).toBe(true);
  });

  it('a new suite gets a new key of ours', () => {
    const first = start();
    const offer = phoneOffer().replace('AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32');
    const r = answerReoffer(first.media, offer, next);
    expect(r.media.srtp!.local.suite).toBe('AES_CM_128_HMAC_SHA1_32');
    expect(r.changed.srtp).toBe(true);
  });

  it('keeps the running codec while it is still offered, and switches when it is gone', () => {
    const first = start();
    expect(first.media.codec.name).toBe('opus');
    const reordered = answerReoffer(first.media, phoneOffer({ pts: '0 111 101' }), next);
    expect(reordered.media.codec.name).toBe('opus');
    expect(reordered.changed.codec).toBe(false);
    expect(parse(reordered.answerSdp).media[0].payloads).toBe('111 101');
    const gone = answerReoffer(first.media, phoneOffer({ pts: '0 101' }), next);
    expect(gone.media.codec.name).toBe('PCMU');
    expect(gone.changed.codec).toBe(true);
  });

  it('refuses a re-offer that drops SRTP', () => {
    const first = start();
    const plain = phoneOffer({ crypto: false }).replace('RTP/SAVP', 'RTP/AVP');
    expectSdpError(() => answerReoffer(first.media, plain, next), /re-offer drops the SRTP/);
  });

  it('a plain session may be upgraded to SRTP', () => {
    const plain = answerOffer(phoneOffer({ crypto: false }).replace('RTP/SAVP', 'RTP/AVP'), LOCAL);
    const r = answerReoffer(plain.media, phoneOffer(), next);
    expect(r.media.srtp).toBeDefined();
    expect(r.changed).toMatchObject({ srtp: true, codec: true });
  });
});
