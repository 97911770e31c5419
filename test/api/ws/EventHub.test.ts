import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { parseBinding } from '../../../src/api/ws/bindings.js';
import { EventHub, SocketSink, Subscription, type EventSink, type HubEvent } from '../../../src/api/ws/EventHub.js';

class RecordingSink implements EventSink {
  frames: (Buffer | string)[] = [];
  send(frame: Buffer | string): boolean {
    this.frames.push(frame);
    return true;
  }
  json(): Array<Record<string, unknown>> {
    return this.frames.map((f) => JSON.parse(f.toString()));
  }
}

const sub = (account: string, binding: string, sink: EventSink) => new Subscription(account, parseBinding(binding)!, sink);
const ev = (over: Partial<HubEvent> = {}): HubEvent => ({ accountId: 'a1', conferenceId: 'c1', callId: 'k1', name: 'start-talking', data: { participant_id: 1 }, ...over });

describe('EventHub', () => {
  it('fans out to matching subscriptions in the Kazoo event shape', () => {
    const hub = new EventHub();
    const s1 = new RecordingSink();
    const s2 = new RecordingSink();
    const s3 = new RecordingSink();
    hub.add(sub('a1', 'conference.event.c1.*', s1));
    hub.add(sub('a1', 'conference.event.*.*', s2));
    hub.add(sub('a1', 'conference.event.c2.*', s3));
    expect(hub.publish(ev())).toBe(2);
    expect(s1.json()).toEqual([
      { action: 'event', subscribed_key: 'conference.event.c1.*', routing_key: 'conference.event.c1.k1', name: 'start-talking', data: { participant_id: 1 } },
    ]);
    expect(s2.json()[0]).toMatchObject({ subscribed_key: 'conference.event.*.*', routing_key: 'conference.event.c1.k1' });
    expect(s3.frames).toHaveLength(0);
  });

  it('keeps accounts apart and honours call-id bindings', () => {
    const hub = new EventHub();
    const s = new RecordingSink();
    hub.add(sub('a1', 'conference.event.*.*', s));
    hub.add(sub('a1', 'conference.event.c9.k2', s));
    expect(hub.publish(ev({ accountId: 'a2' }))).toBe(0);
    expect(hub.publish(ev({ conferenceId: 'c9', callId: 'k1' }))).toBe(1);
    expect(hub.publish(ev({ conferenceId: 'c9', callId: 'k2' }))).toBe(2); // once per matching binding
    // the specific binding first, then the wildcard
    expect(s.json().map((f) => f.subscribed_key)).toEqual(['conference.event.*.*', 'conference.event.c9.k2', 'conference.event.*.*']);
  });

  it('builds each frame once and shares it between subscribers', () => {
    const hub = new EventHub();
    const sinks = Array.from({ length: 50 }, () => new RecordingSink());
    for (const s of sinks) hub.add(sub('a1', 'conference.event.c1.*', s));
    let serialised = 0;
    const data = { toJSON: () => (serialised++, { x: 1 }) };
    expect(hub.publish(ev({ data }))).toBe(50);
    expect(serialised).toBe(1);
    expect(new Set(sinks.map((s) => s.frames[0])).size).toBe(1); // the very same Buffer
  });

  it('builds no JSON when nobody matches', () => {
    const hub = new EventHub();
    hub.add(sub('a1', 'conference.event.c2.*', new RecordingSink()));
    const data = { toJSON: () => expect.unreachable('serialised an event nobody receives') };
    expect(hub.publish(ev({ data }))).toBe(0);
    expect(hub.publish(ev({ accountId: 'nobody', data }))).toBe(0);
  });

  it('routes call ids with dots under their encoded form', () => {
    const hub = new EventHub();
    const s = new RecordingSink();
    hub.add(sub('a1', 'conference.event.c1.a%40b%2Ec', s)); // a binding may percent-encode safe chars too
    hub.add(sub('a1', 'conference.event.c1.a@b%2Ec', s));
    hub.publish(ev({ callId: 'a@b.c' }));
    expect(s.json().map((f) => f.routing_key)).toEqual(['conference.event.c1.a@b%2Ec']);
  });

  it('removes subscriptions and empties its index', () => {
    const hub = new EventHub();
    const s = new RecordingSink();
    const x = sub('a1', 'conference.event.c1.*', s);
    hub.add(x);
    hub.add(x);
    expect(hub.subscriptions).toBe(1);
    hub.remove(x);
    hub.remove(x);
    expect(hub.subscriptions).toBe(0);
    expect(hub.publish(ev())).toBe(0);
    expect((hub as unknown as { index: Map<string, unknown> }).index.size).toBe(0);
  });

  it('tolerates a sink that unsubscribes others while being sent to', () => {
    const hub = new EventHub();
    const later = new RecordingSink();
    const laterSub = sub('a1', 'conference.event.c1.*', later);
    const first: EventSink = { send: () => (hub.remove(laterSub), false) };
    hub.add(sub('a1', 'conference.event.c1.*', first));
    hub.add(laterSub);
    expect(() => hub.publish(ev())).not.toThrow();
    expect(hub.publish(ev())).toBe(0);
  });
});

/** Just enough of a ws WebSocket for SocketSink. */
class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  sent: unknown[] = [];
  callbacks: Array<() => void> = [];
  closedWith: [number, string] | undefined;
  terminated = false;
  pings = 0;
  send(data: unknown, _opts: unknown, cb: () => void): void {
    this.sent.push(data);
    this.callbacks.push(cb);
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.readyState = 2;
  }
  terminate(): void {
    this.terminated = true;
  }
  ping(): void {
    this.pings++;
  }
}

describe('SocketSink', () => {
  const make = (limits: Partial<{ maxBufferedBytes: number; maxQueuedFrames: number; closeGraceMs: number }> = {}) => {
    const ws = new FakeSocket();
    const onSlow = vi.fn();
    const sink = new SocketSink(ws as unknown as WebSocket, { maxBufferedBytes: 1000, maxQueuedFrames: 5, closeGraceMs: 20, ...limits }, onSlow);
    return { ws, sink, onSlow };
  };

  it('sends as text while the socket keeps up', () => {
    const { ws, sink, onSlow } = make();
    for (let i = 0; i < 100; i++) expect(sink.send(Buffer.alloc(900))).toBe(true); // nothing stays buffered
    expect(ws.sent).toHaveLength(100);
    expect(onSlow).not.toHaveBeenCalled();
  });

  it('sends a frame larger than the limit to an idle socket', () => {
    const { sink } = make();
    expect(sink.send(Buffer.alloc(5000))).toBe(true);
  });

  it('cuts a socket whose buffered bytes would pass the limit, once, with 1008', async () => {
    const { ws, sink, onSlow } = make();
    ws.bufferedAmount = 600;
    expect(sink.send(Buffer.alloc(300))).toBe(true);
    ws.bufferedAmount = 900;
    expect(sink.send(Buffer.alloc(300))).toBe(false);
    expect(sink.send('x')).toBe(false);
    expect(sink.cut).toBe(true);
    expect(onSlow).toHaveBeenCalledTimes(1);
    expect(ws.closedWith).toEqual([1008, 'slow consumer']);
    await new Promise((r) => setTimeout(r, 50));
    expect(ws.terminated).toBe(true); // the peer never read up to the close frame
  });

  it('cuts a socket with too many frames queued, but not for a burst the kernel took', () => {
    const { ws, sink, onSlow } = make({ maxBufferedBytes: 1e9 });
    for (let i = 0; i < 20; i++) expect(sink.send('e')).toBe(true); // callbacks pending, nothing buffered
    for (const cb of ws.callbacks.splice(0)) cb();
    for (let i = 0; i < 5; i++) sink.send('e');
    ws.bufferedAmount = 10;
    expect(sink.send('e')).toBe(false);
    expect(onSlow).toHaveBeenCalledTimes(1);
  });

  it('pings, and terminates a peer that missed a pong', () => {
    const { ws, sink } = make();
    sink.keepalive();
    ws.emit('pong');
    sink.keepalive();
    expect(ws.pings).toBe(2);
    expect(ws.terminated).toBe(false);
    sink.keepalive();
    expect(ws.terminated).toBe(true);
  });

  it('sends nothing to a socket that is not open', () => {
    const { ws, sink } = make();
    ws.readyState = 2;
    expect(sink.send('x')).toBe(false);
    expect(ws.sent).toHaveLength(0);
  });
});
