import { createSocket, type Socket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { intToIpv4 } from '../../src/transports/ipv4.js';
import { UdpReceiver } from '../../src/transports/UdpReceiver.js';
import { loopbackSockets } from '../helpers/loopbackSockets.js';

const { bound, track } = loopbackSockets();
const receivers: UdpReceiver[] = [];
afterEach(() => {
  for (const r of receivers.splice(0)) r.close();
});

function receiver(): UdpReceiver {
  const r = new UdpReceiver();
  receivers.push(r);
  return r;
}

interface Got {
  to: string;
  bytes: number[];
  length: number;
  from: string;
  arrivalMs: number;
}

/** A handler that copies what it is given (the view is reused by the next datagram). */
function collect(into: Got[], to: string) {
  return (buf: Uint8Array, length: number, ip: number, port: number, arrivalMs: number) =>
    into.push({ to, bytes: [...buf.subarray(0, Math.min(length, 4))], length, from: `${intToIpv4(ip)}:${port}`, arrivalMs });
}

/** Sends and waits until loopback has delivered them (send callbacks fire once the kernel took them). */
async function send(from: Socket, to: Socket, payloads: Uint8Array[]): Promise<void> {
  await Promise.all(payloads.map((p) => new Promise<void>((resolve) => from.send(p, to.address().port, '127.0.0.1', () => resolve()))));
  await sleep(20);
}

describe('UdpReceiver', () => {
  it('hands each datagram to its socket handler with its bytes, length, source and kernel arrival time', async () => {
    const [a, b, sender] = await Promise.all([bound(), bound(), bound()]);
    const r = receiver();
    const got: Got[] = [];
    expect(r.add(a, collect(got, 'a'))).not.toBeNull();
    expect(r.add(b, collect(got, 'b'))).not.toBeNull();
    // Linux turns arrival stamping on for the whole system a moment after the first socket asks
    // (a deferred static key); a datagram that arrives before then is stamped when it is read.
    await sleep(20);
    const before = Date.now();
    await send(sender, a, [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6, 7, 8)]);
    await send(sender, b, [Uint8Array.of(9)]);
    const after = Date.now();
    await sleep(30); // the arrival time must be the kernel's, not the drain's
    expect(r.drain()).toBe(3);
    const source = `127.0.0.1:${sender.address().port}`;
    expect(got.filter((g) => g.to === 'a').map((g) => [g.bytes, g.length])).toEqual([[[1, 2, 3], 3], [[4, 5, 6, 7], 5]]);
    expect(got.filter((g) => g.to === 'b').map((g) => [g.bytes, g.length])).toEqual([[[9], 1]]);
    for (const g of got) {
      expect(g.from).toBe(source);
      expect(g.arrivalMs).toBeGreaterThanOrEqual(before - 1);
      expect(g.arrivalMs).toBeLessThanOrEqual(after + 1);
    }
    expect(r.drain()).toBe(0);
    expect(r.stats).toMatchObject({ drains: 2, packets: 3, errors: 0, handlerErrors: 0 });
  });

  it('keeps the datagrams from the event loop once it reads a socket', async () => {
    const [a, sender] = await Promise.all([bound(), bound()]);
    let dgram = 0;
    a.on('message', () => dgram++);
    const r = receiver();
    const got: Got[] = [];
    r.add(a, collect(got, 'a'));
    await send(sender, a, [Uint8Array.of(1), Uint8Array.of(2)]);
    expect(dgram).toBe(0);
    expect(r.drain()).toBe(2);
  });

  it('marks a datagram over 1500 bytes with a length past the view, keeping its first 1500 bytes', async () => {
    const [a, sender] = await Promise.all([bound(), bound()]);
    const r = receiver();
    const got: Got[] = [];
    r.add(a, collect(got, 'a'));
    const big = new Uint8Array(2000).fill(7);
    await send(sender, a, [big, Uint8Array.of(1)]);
    r.drain();
    expect(got.map((g) => [g.bytes, g.length])).toEqual([[[7, 7, 7, 7], 1501], [[1], 1]]);
  });

  it('reads at most 8 datagrams of one socket per drain, so a flood does not crowd out the others', async () => {
    const [flooded, quiet, sender] = await Promise.all([bound(), bound(), bound()]);
    const r = receiver();
    const got: Got[] = [];
    r.add(flooded, collect(got, 'flooded'));
    r.add(quiet, collect(got, 'quiet'));
    await send(sender, flooded, Array.from({ length: 20 }, (_, i) => Uint8Array.of(i)));
    await send(sender, quiet, [Uint8Array.of(99)]);
    expect(r.drain()).toBe(9);
    expect(got.filter((g) => g.to === 'quiet')).toHaveLength(1);
    expect(r.drain()).toBe(8);
    expect(r.drain()).toBe(4);
    // In order, none lost: the rest waited in the kernel.
    expect(got.filter((g) => g.to === 'flooded').map((g) => g.bytes[0])).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('stops delivering a removed socket, even when another handler removes it mid-drain', async () => {
    const [a, b, sender] = await Promise.all([bound(), bound(), bound()]);
    const r = receiver();
    const got: Got[] = [];
    let slotB = -1;
    const slotA = r.add(a, (...args) => {
      collect(got, 'a')(...args);
      r.remove(slotB);
    })!;
    slotB = r.add(b, collect(got, 'b'))!;
    await send(sender, a, [Uint8Array.of(1)]);
    await send(sender, b, [Uint8Array.of(2)]);
    r.drain();
    // Epoll's order decides whether b's datagram came first; after a's handler ran, b gets nothing.
    const bBefore = got.filter((g) => g.to === 'b').length;
    await send(sender, b, [Uint8Array.of(3)]);
    r.drain();
    expect(got.filter((g) => g.to === 'b')).toHaveLength(bBefore);
    r.remove(slotA);
    await send(sender, a, [Uint8Array.of(4)]);
    expect(r.drain()).toBe(0);
    expect(got.filter((g) => g.to === 'a')).toHaveLength(1);
  });

  it('counts a handler that throws and goes on with the next datagram', async () => {
    const [a, b, sender] = await Promise.all([bound(), bound(), bound()]);
    const r = receiver();
    const got: Got[] = [];
    const errors: number[] = [];
    r.onHandlerError = (_err, count) => errors.push(count);
    r.add(a, () => {
      throw new Error('boom');
    });
    r.add(b, collect(got, 'b'));
    await send(sender, a, [Uint8Array.of(1), Uint8Array.of(2)]);
    await send(sender, b, [Uint8Array.of(3)]);
    expect(r.drain()).toBe(3);
    expect(got).toHaveLength(1);
    expect(r.stats.handlerErrors).toBe(2);
    expect(errors).toEqual([1]); // told of the first, then every 1000th
  });

  it('refuses a socket that is not bound, leaving it to dgram', () => {
    const r = receiver();
    expect(r.add(track(createSocket('udp4')), () => {})).toBeNull();
  });
});
