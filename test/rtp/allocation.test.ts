import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { DtmfReceiver } from '../../src/rtp/dtmf.js';
import { readAudioLevel } from '../../src/rtp/headerExtensions.js';
import { ReceptionStats } from '../../src/rtp/ReceptionStats.js';
import { newRtpPacket, parseRtp, writeRtpHeader } from '../../src/rtp/RtpPacket.js';

const youngBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

describe('the per-packet path', () => {
  it('allocates nothing: parse, audio level, statistics and DTMF for 100,000 packets', () => {
    const buf = Uint8Array.from([
      0x90, 101, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 1, 0x10, 0xd5, 0, 0, 5, 0x0a, 0, 160,
    ]);
    const pkt = newRtpPacket();
    const stats = new ReceptionStats(8000);
    const dtmf = new DtmfReceiver();
    const header = { marker: false, payloadType: 101, sequenceNumber: 0, timestamp: 0, ssrc: 1 };
    let seq = 0;
    let sink = 0;
    const run = (count: number) => {
      for (let i = 0; i < count; i++, seq++) {
        header.sequenceNumber = seq & 0xffff;
        header.timestamp = (seq * 160) >>> 0;
        writeRtpHeader(buf, 0, header);
        buf[0] |= 0x10; // keep the extension bit
        if (parseRtp(buf, buf.length, pkt) !== null) throw new Error('parse failed');
        sink += readAudioLevel(buf, pkt, 1);
        sink += stats.update(pkt.sequenceNumber, pkt.timestamp, seq * 20) === 'ok' ? 1 : 0;
        // Updates of one long key press: emitting a digit allocates, but only once per press.
        dtmf.feed(0, buf, pkt.payloadOffset, pkt.payloadLength, 8000);
      }
    };
    run(50_000); // warm up: JIT and inline caches
    let best = Infinity;
    for (let attempt = 0; attempt < 5 && best > 0; attempt++) {
      const before = youngBytes();
      run(100_000);
      const grown = youngBytes() - before;
      if (grown >= 0) best = Math.min(best, grown); // a negative figure means a GC ran: read again
    }
    expect(sink).toBeGreaterThan(0);
    // One object per packet would be at least 16 bytes x 100,000 = 1.6 MB.
    expect(best).toBeLessThan(64 * 1024);
  });
});
