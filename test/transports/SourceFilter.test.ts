// Source learning: which datagram sources may feed a participant, and what teaches them.
import { describe, expect, it } from 'vitest';
import { ipv4ToInt } from '../../src/transports/ipv4.js';
import { PROBATION_PACKETS, SOURCE_CANDIDATE, SOURCE_FOREIGN, SOURCE_LEARNED, SOURCE_MOVED, SourceFilter } from '../../src/transports/SourceFilter.js';

const HOST = ipv4ToInt('192.0.2.1')!;
const OTHER = ipv4ToInt('198.51.100.9')!;
const declared = { address: '192.0.2.1', port: 40000 };

/** Feeds `n` in-sequence packets from ip:port, as RtpTransport does; true when the last was taken. */
function stream(f: SourceFilter, ip: number, port: number, n: number, o: { seq?: number; ssrc?: number; at?: number } = {}): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const now = (o.at ?? 0) + i * 20;
    const v = f.classify(ip, port, now);
    out.push(v === SOURCE_LEARNED || ((v === SOURCE_CANDIDATE || v === SOURCE_MOVED) && f.learn(ip, port, ((o.seq ?? 100) + i) & 0xffff, o.ssrc ?? 7, now)));
  }
  return out;
}

describe('SourceFilter', () => {
  it('learns a symmetric peer (the declared address and port) at its first packet', () => {
    const f = new SourceFilter({ declared, latching: false });
    expect(f.classify(HOST, 40000, 0)).toBe(SOURCE_LEARNED);
    expect(f.latched).toEqual(declared);
  });

  it('puts another port of the declared host on probation for a few in-sequence packets', () => {
    const f = new SourceFilter({ declared, latching: false });
    const taken = stream(f, HOST, 41000, PROBATION_PACKETS + 2);
    expect(taken).toEqual([...Array(PROBATION_PACKETS - 1).fill(false), true, true, true]);
    expect(f.latched).toEqual({ address: '192.0.2.1', port: 41000 });
    // Once learned, the declared host's other ports are foreign while the source is alive.
    expect(f.classify(HOST, 41001, 200)).toBe(SOURCE_FOREIGN);
  });

  it('does not let a stray packet from a third port reset the real sender, nor teach a source', () => {
    const f = new SourceFilter({ declared, latching: false });
    // A stray RTP packet from port 50000 first, then one interleaved after each real packet.
    expect(f.classify(HOST, 50000, 0)).toBe(SOURCE_CANDIDATE);
    expect(f.learn(HOST, 50000, 9, 99, 0)).toBe(false);
    let learned = false;
    for (let i = 0; i < PROBATION_PACKETS && !learned; i++) {
      expect(f.classify(HOST, 41000, 20 * i)).toBe(SOURCE_CANDIDATE);
      learned = f.learn(HOST, 41000, 100 + i, 7, 20 * i);
      if (!learned) f.learn(HOST, 50000, 5000 + 7 * i, 99, 20 * i + 1); // out of sequence
    }
    expect(learned).toBe(true);
    expect(f.latched?.port).toBe(41000);
  });

  it('needs the packets in sequence and of one SSRC', () => {
    const f = new SourceFilter({ declared, latching: false });
    for (let i = 0; i < 10; i++) {
      expect(f.classify(HOST, 41000, i)).toBe(SOURCE_CANDIDATE);
      expect(f.learn(HOST, 41000, 100 + 2 * i, 7, i)).toBe(false); // every other sequence number
    }
    for (let i = 0; i < 10; i++) expect(f.learn(HOST, 41000, 500 + i, i % 2, 20 + i)).toBe(false); // two SSRCs alternating
    expect(f.latched).toBeNull();
  });

  it('takes RTCP from the declared host on any port, never from elsewhere, and RTCP teaches nothing', () => {
    const f = new SourceFilter({ declared, latching: false });
    expect(f.isPeerHost(HOST)).toBe(true);
    expect(f.isPeerHost(OTHER)).toBe(false);
    expect(f.latched).toBeNull();
    expect(f.isPeerHost(HOST)).toBe(true);
    expect(f.isPeerHost(OTHER)).toBe(false);
  });

  it('without latching refuses every other host, and keeps sending to the declared address', () => {
    const f = new SourceFilter({ declared, latching: false });
    expect(stream(f, OTHER, 40000, 10)).toEqual(Array(10).fill(false));
    expect(f.classify(OTHER, 40000, 0)).toBe(SOURCE_FOREIGN);
    stream(f, HOST, 41000, PROBATION_PACKETS);
    expect(f.destination).toEqual(declared);
  });

  it('replaces a learned source that went silent for 2 s by one that proves itself, and not sooner', () => {
    const f = new SourceFilter({ declared, latching: false });
    stream(f, HOST, 41000, PROBATION_PACKETS, { at: 0 });
    expect(stream(f, HOST, 42000, PROBATION_PACKETS + 2, { at: 1000 })).toEqual(Array(PROBATION_PACKETS + 2).fill(false));
    expect(f.latched?.port).toBe(41000);
    const later = stream(f, HOST, 42000, PROBATION_PACKETS, { at: 4000, ssrc: 8 });
    expect(later[PROBATION_PACKETS - 1]).toBe(true);
    expect(f.latched?.port).toBe(42000);
  });

  it('with latching learns a NATed source on another host, sends to it, and re-learns after a rebinding', () => {
    const f = new SourceFilter({ declared: { address: '10.0.0.5', port: 40000 }, latching: true, permits: () => true });
    expect(stream(f, OTHER, 61000, PROBATION_PACKETS).at(-1)).toBe(true);
    expect(f.destination).toEqual({ address: '198.51.100.9', port: 61000 });
    expect(f.isPeerHost(OTHER)).toBe(true);
    expect(f.isPeerHost(OTHER)).toBe(true);
    // The NAT gives the same stream a new port: learned again once the old one has been quiet 2 s.
    expect(stream(f, OTHER, 62000, PROBATION_PACKETS, { at: 3000, seq: 104 }).at(-1)).toBe(true);
    expect(f.destination).toEqual({ address: '198.51.100.9', port: 62000 });
  });

  it('with latching lets the live stream (its SSRC) move at once, and nothing else while it is alive', () => {
    const f = new SourceFilter({ declared, latching: true, permits: () => true });
    stream(f, OTHER, 61000, PROBATION_PACKETS, { ssrc: 7, seq: 100 });
    // Another stream from elsewhere: it may only be ours moved, and never is learned while ours is alive.
    for (let i = 0; i < 10; i++) {
      expect(f.classify(HOST, 50000, 100 + i)).toBe(SOURCE_MOVED);
      expect(f.learn(HOST, 50000, 9000 + i, 99, 100 + i, 7)).toBe(false);
    }
    // Our stream from a new port (a NAT rebinding): learned after its probation, without a gap.
    let learned = false;
    for (let i = 0; i < PROBATION_PACKETS; i++) learned = f.learn(OTHER, 62000, 104 + i, 7, 200 + 20 * i, 7);
    expect(learned).toBe(true);
    expect(f.destination).toEqual({ address: '198.51.100.9', port: 62000 });
  });

  it('with latching never learns a source the destination policy refuses', () => {
    const f = new SourceFilter({ declared, latching: true, permits: (_ip: number, port: number) => port < 20000 || port > 29999 });
    expect(f.classify(OTHER, 20002, 0)).toBe(SOURCE_FOREIGN);
    expect(f.classify(OTHER, 40002, 0)).toBe(SOURCE_CANDIDATE);
  });

  it('forgets a learned source on another host when a re-offer moves the peer (no latching)', () => {
    const f = new SourceFilter({ declared, latching: false });
    f.classify(HOST, 40000, 0);
    f.redeclare({ address: '198.51.100.9', port: 40000 });
    expect(f.latched).toBeNull();
    expect(f.classify(HOST, 40000, 10)).toBe(SOURCE_FOREIGN);
    expect(f.classify(OTHER, 40000, 10)).toBe(SOURCE_LEARNED);
  });
});
