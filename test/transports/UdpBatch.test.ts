import { describe, expect, it } from 'vitest';
import { ipv4ToInt } from '../../src/transports/ipv4.js';
import { socketFd } from '../../src/transports/socketHandle.js';
import { UdpBatch } from '../../src/transports/UdpBatch.js';
import { loopbackSockets } from '../helpers/loopbackSockets.js';

const { bound } = loopbackSockets();

describe('UdpBatch', () => {
  it('sends every queued datagram, header then payload, from each sender socket', async () => {
    const [a, b] = await Promise.all([bound(), bound()]);
    // Six receivers, so that no receive buffer overflows while the batch lands all at once.
    const sinks = await Promise.all(Array.from({ length: 6 }, bound));
    const got: { from: number; to: number; data: Buffer }[] = [];
    sinks.forEach((sink, k) => sink.on('message', (data, rinfo) => got.push({ from: rinfo.port, to: k, data })));
    const batch = new UdpBatch();
    const to = ipv4ToInt('127.0.0.1');
    const n = 300; // more than fit in one arena pass for the larger payloads below
    for (let i = 0; i < n; i++) {
      const header = Uint8Array.of(0x80, 111, i >> 8, i & 0xff);
      const payload = new Uint8Array(1000).fill(i & 0xff);
      batch.add(socketFd(i % 2 ? b : a), to!, sinks[i % 6].address().port, header, payload);
    }
    batch.flush();
    const deadline = Date.now() + 3000;
    while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(got.length).toBe(n);
    expect(batch.stats.packets).toBe(n);
    expect(batch.stats.errors).toBe(0);
    expect(batch.stats.batches).toBeGreaterThan(1);
    for (const { from, to: k, data } of got) {
      const i = (data[2] << 8) | data[3];
      expect(k).toBe(i % 6);
      expect(from).toBe((i % 2 ? b : a).address().port);
      expect(data.length).toBe(1004);
      expect(data[4]).toBe(i & 0xff);
      expect(data[1003]).toBe(i & 0xff);
    }
  });

  it('counts a datagram the kernel refuses instead of throwing', async () => {
    const a = await bound();
    const batch = new UdpBatch();
    const fd = socketFd(a);
    a.close();
    batch.add(fd, ipv4ToInt('127.0.0.1')!, 9, Uint8Array.of(1), Uint8Array.of(2));
    batch.flush();
    expect(batch.stats.errors).toBe(1);
    expect(batch.stats.lastErrno).toBeGreaterThan(0);
  });

  it('reads a bound socket descriptor and dotted addresses', async () => {
    expect(socketFd(await bound())).toBeGreaterThan(2);
    expect(ipv4ToInt('127.0.0.1')).toBe(0x7f000001);
    expect(ipv4ToInt('255.255.255.255')).toBe(-1);
    expect(ipv4ToInt('localhost')).toBeNull();
  });
});
