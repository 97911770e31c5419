// Fan-out of conference events to websocket subscriptions. Publishing is synchronous and never
// waits on a consumer: each frame is handed to the socket, and a socket that does not keep up is
// cut (SocketSink) rather than buffered for, so one slow client cannot hold memory or delay the
// others.

import type { WebSocket } from 'ws';
import { bindingMatches, encodeId, routingKey, WILDCARD, type ConferenceBinding } from './bindings.js';

export interface HubEvent {
  accountId: string;
  conferenceId: string;
  callId: string;
  name: string;
  data: Record<string, unknown>;
}

/** Where a subscription's frames go. `send` must not throw or wait. */
export interface EventSink {
  send(frame: Buffer | string): boolean;
}

export class Subscription {
  constructor(
    readonly accountId: string,
    readonly binding: ConferenceBinding,
    readonly sink: EventSink,
  ) {}
}

export class EventHub {
  // account → conference segment (or '*') → subscriptions, so a publish looks at only the
  // subscriptions that can match instead of scanning every socket.
  private readonly index = new Map<string, Map<string, Set<Subscription>>>();
  private count = 0;

  get subscriptions(): number {
    return this.count;
  }

  add(sub: Subscription): void {
    let byConference = this.index.get(sub.accountId);
    if (!byConference) this.index.set(sub.accountId, (byConference = new Map()));
    let set = byConference.get(sub.binding.conferenceId);
    if (!set) byConference.set(sub.binding.conferenceId, (set = new Set()));
    if (!set.has(sub)) {
      set.add(sub);
      this.count++;
    }
  }

  remove(sub: Subscription): void {
    const byConference = this.index.get(sub.accountId);
    const set = byConference?.get(sub.binding.conferenceId);
    if (!byConference || !set?.delete(sub)) return;
    this.count--;
    // Empty maps are dropped so that churn of subscriptions does not leave the index growing.
    if (set.size === 0) byConference.delete(sub.binding.conferenceId);
    if (byConference.size === 0) this.index.delete(sub.accountId);
  }

  /**
   * Sends the event to every matching subscription; returns how many frames were handed to
   * sockets. A socket with two matching bindings gets the event once per binding, each with its
   * own `subscribed_key`, as Kazoo's blackhole does.
   */
  publish(e: HubEvent): number {
    const byConference = this.index.get(e.accountId);
    if (!byConference) return 0;
    const conferenceKey = encodeId(e.conferenceId);
    const specific = byConference.get(conferenceKey);
    const any = byConference.get(WILDCARD);
    if (!specific && !any) return 0; // nobody listens: no JSON is built at all
    const callKey = encodeId(e.callId);
    const frames = new FrameCache(e, conferenceKey, callKey);
    let sent = 0;
    // Copies of the sets: a send can cut a slow socket, whose subscriptions are then removed
    // while we iterate.
    for (const set of [specific, any]) {
      if (!set) continue;
      for (const sub of [...set]) {
        if (!bindingMatches(sub.binding, conferenceKey, callKey)) continue;
        if (sub.sink.send(frames.get(sub.binding.key))) sent++;
      }
    }
    return sent;
  }
}

/**
 * The event's frames, built once per event: the body (routing key, name, data) is serialised
 * once, and one UTF-8 Buffer is made per distinct subscribed_key (at most four: C.call, C.*,
 * *.call, *.*). The same Buffer goes to every socket; server frames are unmasked, so ws writes
 * it as it is and never modifies it.
 */
class FrameCache {
  private body: string | undefined;
  private readonly frames = new Map<string, Buffer>();

  constructor(
    private readonly e: HubEvent,
    private readonly conferenceKey: string,
    private readonly callKey: string,
  ) {}

  get(subscribedKey: string): Buffer {
    let frame = this.frames.get(subscribedKey);
    if (frame) return frame;
    this.body ??=
      ',"routing_key":' + JSON.stringify(routingKey(this.conferenceKey, this.callKey)) +
      ',"name":' + JSON.stringify(this.e.name) +
      ',"data":' + JSON.stringify(this.e.data) + '}';
    frame = Buffer.from('{"action":"event","subscribed_key":' + JSON.stringify(subscribedKey) + this.body, 'utf8');
    this.frames.set(subscribedKey, frame);
    return frame;
  }
}

export interface SinkLimits {
  /** Bytes queued in the process for one socket before it is cut. */
  maxBufferedBytes: number;
  /** Frames handed to ws but not yet written out, before the socket is cut. */
  maxQueuedFrames: number;
  /** After closing a cut socket, how long its peer has to read up to the close frame. */
  closeGraceMs: number;
}

// Frames are always text (JSON), also when passed as a Buffer.
const TEXT = { binary: false } as const;

/**
 * A websocket as an EventSink, with ping/pong liveness and the slow-consumer rule: when what is
 * queued for the socket would pass a limit, nothing more is queued, the socket is closed with
 * 1008 and `onSlow` is called once. Replies go through the same sink so they obey the same bound.
 */
export class SocketSink implements EventSink {
  private pending = 0;
  private isCut = false;
  private alive = true;
  // One callback per socket rather than a closure per frame.
  private readonly onWritten = (): void => {
    this.pending--;
  };

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: SinkLimits,
    private readonly onSlow: () => void,
  ) {
    ws.on('pong', () => (this.alive = true));
  }

  get cut(): boolean {
    return this.isCut;
  }

  send(frame: Buffer | string): boolean {
    const ws = this.ws;
    if (this.isCut || ws.readyState !== 1 /* OPEN */) return false;
    const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
    const buffered = ws.bufferedAmount;
    // Both rules need bytes actually waiting: a frame larger than the limit still goes to an
    // idle socket, and write callbacks run on the next tick even when the kernel took the bytes
    // at once, so a burst inflates `pending` for a healthy socket.
    if (buffered > 0 && (buffered + size > this.limits.maxBufferedBytes || this.pending >= this.limits.maxQueuedFrames)) {
      this.cutOff();
      return false;
    }
    this.pending++;
    ws.send(frame, TEXT, this.onWritten);
    return true;
  }

  /** Called every ping interval: a peer that has not answered the previous ping is terminated. */
  keepalive(): void {
    if (!this.alive) return this.ws.terminate(); // a dead peer or path; TCP alone may take hours to notice
    this.alive = false;
    this.ws.ping();
  }

  private cutOff(): void {
    this.isCut = true;
    this.ws.close(1008, 'slow consumer');
    // The close frame waits behind the unread data; a peer that never reads again is dropped
    // after the grace period rather than ws's 30 s close timeout, freeing its buffer sooner.
    const timer = setTimeout(() => this.ws.terminate(), this.limits.closeGraceMs);
    timer.unref();
    this.ws.once('close', () => clearTimeout(timer));
    this.onSlow();
  }
}
