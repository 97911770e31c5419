import type { Socket } from 'node:net';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Client, cleanup, ev, refusedStatus, start } from './wsTestKit.js';

afterEach(cleanup);

describe('WebsocketApi limits', () => {
  it('cuts a consumer that stops reading with 1008, bounding what is buffered for it', async () => {
    const limit = 256 * 1024;
    const { hub, api, url } = await start({ maxBufferedBytes: limit });
    const slow = await Client.open(url);
    const healthy = await Client.open(url);
    await slow.subscribe('tok-a', 'acct-a', 'conference.event.*.*');
    await healthy.subscribe('tok-a', 'acct-a', 'conference.event.*.*');
    let received = 0;
    healthy.ws.on('message', () => received++);
    (slow.ws as unknown as { _socket: Socket })._socket.pause();

    const payload = 'x'.repeat(4096);
    let published = 0;
    let maxBuffered = 0;
    while (api.slowConsumersCut === 0 && published < 50_000) {
      for (let i = 0; i < 16; i++) hub.publish(ev({ data: { i: published++, payload } }));
      maxBuffered = Math.max(maxBuffered, api.bufferedBytes);
      await tick(); // lets the healthy client read
    }
    expect(api.slowConsumersCut).toBe(1);
    // What waits in the process for both sockets stays near the limit, though far more was published.
    expect(maxBuffered).toBeLessThanOrEqual(limit + 17 * 4200);
    expect(published * 4096).toBeGreaterThan(4 * limit);
    expect(hub.subscriptions).toBe(1);
    expect(hub.publish(ev({ name: 'after-cut' }))).toBe(1);

    (slow.ws as unknown as { _socket: Socket })._socket.resume();
    expect(await slow.closed).toEqual({ code: 1008, reason: 'slow consumer' });
    expect(await healthy.next((m) => m.name === 'after-cut', 10_000)).toBeDefined();
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
    expect(received).toBeGreaterThan(0);
  });

  it('limits subscriptions per connection', async () => {
    const { url } = await start({ maxSubscriptions: 3 });
    const c = await Client.open(url);
    for (const conf of ['c1', 'c2', 'c3']) expect(await c.subscribe('tok-a', 'acct-a', `conference.event.${conf}.*`)).toMatchObject({ status: 'success' });
    expect(await c.subscribe('tok-a', 'acct-a', 'conference.event.c4.*')).toMatchObject({ status: 'error', error: '400', message: expect.stringMatching(/too many subscriptions/) });
    expect(await c.subscribe('tok-a', 'acct-a', 'conference.event.c1.*')).toMatchObject({ status: 'success' }); // already held
    await c.subscribe('tok-a', 'acct-a', 'conference.event.c1.*', 'unsubscribe');
    expect(await c.subscribe('tok-a', 'acct-a', 'conference.event.c4.*')).toMatchObject({ status: 'success' });
  });

  it('closes a connection that sends an oversized message with 1009', async () => {
    const { url, api } = await start();
    const c = await Client.open(url);
    c.ws.send(JSON.stringify({ action: 'subscribe', pad: 'x'.repeat(70 * 1024) }));
    expect((await c.closed).code).toBe(1009);
    await sleep(20);
    expect(api.connections).toBe(0);
  });

  it('refuses connections over the limit with 503, and other paths with 404', async () => {
    const { url, base, api } = await start({ maxConnections: 2 });
    await Client.open(url);
    const second = await Client.open(`${url}?x=1`);
    expect(await refusedStatus(url)).toBe(503);
    expect(api.connections).toBe(2);
    expect(await refusedStatus(`${base}/v2/other`)).toBe(404);
    second.ws.close();
    await second.closed;
    await sleep(20);
    await Client.open(url);
    expect(api.connections).toBe(2);
  });

  it('terminates a peer that does not answer pings', async () => {
    const { url, api } = await start({ pingIntervalMs: 50 });
    const deaf = await Client.open(url, { autoPong: false });
    const alive = await Client.open(url);
    expect((await deaf.closed).code).toBe(1006); // terminated, no close frame
    await sleep(200);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    expect(api.connections).toBe(1);
  });

  it('close() closes every socket with 1001', async () => {
    const { url, api, hub } = await start();
    const a = await Client.open(url);
    const b = await Client.open(url);
    await a.subscribe('tok-a', 'acct-a', 'conference.event.*.*');
    await api.close();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(api.connections).toBe(0);
    expect(hub.subscriptions).toBe(0);
  });

  it('caps the connections one account acts through: the next one gets 429, another account is unaffected, a closed one frees its place', async () => {
    const { url } = await start({ maxConnectionsPerAccount: 2, maxConnectionsPerAddress: 10 });
    const a1 = await Client.open(url);
    const a2 = await Client.open(url);
    const a3 = await Client.open(url);
    expect(await a1.subscribe('tok-a', 'acct-a', 'conference.event.*.*')).toMatchObject({ status: 'success' });
    expect(await a2.subscribe('tok-a', 'acct-a', 'conference.event.*.*')).toMatchObject({ status: 'success' });
    expect(await a3.subscribe('tok-a', 'acct-a', 'conference.event.*.*')).toMatchObject({ status: 'error', error: '429', message: expect.stringMatching(/for this account/) });
    // A connection already counted acts again freely; another account's token on the third one works.
    expect(await a1.subscribe('tok-a', 'acct-a', 'conference.event.c1.*')).toMatchObject({ status: 'success' });
    expect(await a3.subscribe('tok-b', 'acct-b', 'conference.event.*.*')).toMatchObject({ status: 'success' });
    a1.ws.close();
    await a1.closed;
    await sleep(20);
    expect(await a3.subscribe('tok-a', 'acct-a', 'conference.event.*.*')).toMatchObject({ status: 'success' });
  });
});
