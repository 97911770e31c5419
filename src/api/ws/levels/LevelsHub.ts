// The level stream (`conference.levels.{C}` on the websocket): every participant's current energy
// and talking flag, for a console's meters. Each conference with subscribers is polled at a
// bounded rate, outside the tick, from the figures the tick already keeps (the media thread's
// participant states); one batched frame per poll goes to all of its subscribers.
import type { EventSink } from '../EventHub.js';

export const LEVELS_PREFIX = 'conference.levels.';

export interface LevelSample {
  participant_id: number;
  call_id: string;
  current_energy: number;
  talking: boolean;
}

/** The conference's members' levels now; undefined when it is not running. */
export type LevelsSource = (accountId: string, conferenceId: string) => Promise<LevelSample[] | undefined>;

export class LevelsSubscription {
  constructor(
    readonly accountId: string,
    readonly conferenceId: string,
    readonly sink: EventSink,
  ) {}
}

interface Room {
  accountId: string;
  conferenceId: string;
  subs: Set<LevelsSubscription>;
  timer: NodeJS.Timeout;
  /** A poll is under way: the next tick of the timer is skipped rather than queued. */
  busy: boolean;
}

export class LevelsHub {
  readonly #source: LevelsSource;
  readonly #intervalMs: number;
  readonly #rooms = new Map<string, Room>();

  constructor(source: LevelsSource, perSecond = 10) {
    this.#source = source;
    this.#intervalMs = 1000 / perSecond;
  }

  /** Conferences being polled. */
  get rooms(): number {
    return this.#rooms.size;
  }

  add(sub: LevelsSubscription): void {
    const k = `${sub.accountId}/${sub.conferenceId}`;
    let room = this.#rooms.get(k);
    if (!room) {
      const timer = setInterval(() => void this.#poll(room!), this.#intervalMs);
      timer.unref();
      room = { accountId: sub.accountId, conferenceId: sub.conferenceId, subs: new Set(), timer, busy: false };
      this.#rooms.set(k, room);
    }
    room.subs.add(sub);
  }

  remove(sub: LevelsSubscription): void {
    const k = `${sub.accountId}/${sub.conferenceId}`;
    const room = this.#rooms.get(k);
    if (!room?.subs.delete(sub) || room.subs.size > 0) return;
    clearInterval(room.timer);
    this.#rooms.delete(k);
  }

  close(): void {
    for (const room of this.#rooms.values()) clearInterval(room.timer);
    this.#rooms.clear();
  }

  async #poll(room: Room): Promise<void> {
    if (room.busy) return;
    room.busy = true;
    try {
      const participants = await this.#source(room.accountId, room.conferenceId);
      if (participants === undefined || room.subs.size === 0) return;
      const key = LEVELS_PREFIX + room.conferenceId;
      const frame = JSON.stringify({ action: 'event', subscribed_key: key, routing_key: key, name: 'levels', data: { conference_id: room.conferenceId, participants } });
      for (const sub of room.subs) sub.sink.send(frame);
    } catch {
      // The conference ended between the poll and its answer: nothing to send this time.
    } finally {
      room.busy = false;
    }
  }
}
