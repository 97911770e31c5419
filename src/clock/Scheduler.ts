import { InvalidArgumentError, InvalidStateError } from '../errors.js';
import { LatenessHistogram, type LatenessSnapshot } from './LatenessHistogram.js';
import { LatencyStats } from './LatencyStats.js';
import { monotonicMs } from './monotonic.js';
import { WakeTimer } from './WakeTimer.js';

/*
 * The conference clock: one scheduler per thread ticks every conference in it.
 *
 * Timing. Each tickable has a grid: deadline(k) = anchor + k * intervalMs, where the anchor is
 * the first point of the tickable's phase at or after add(). With the default single phase every
 * grid starts at the scheduler's epoch, so tickables of 10, 20 and 40 ms fall due together and
 * one wake serves them all. With `phases` > 1 the interval is cut into that many whole-ms
 * offsets and each new tickable takes the offset holding the fewest tickables of its interval:
 * fifty conferences on one thread then run as ten small batches spread over 20 ms, not one
 * batch whose last member starts the sum of the others' tick times late (and whose burst holds
 * both cores at once when two threads do it). Deadlines are always computed from the anchor,
 * never as "now + interval", so lateness never accumulates. A single setTimeout chain wakes at
 * the earliest deadline, with the delay rounded down to whole ms. Node measures timers against
 * its millisecond loop clock, so a wake can land up to ~1.5 ms early: a tick is run when its
 * deadline is within EARLY_MS (1 ms) of now, and lateMs may therefore be slightly negative
 * (>= -1). Waking earlier than that only re-arms. With `pollMs` the timer also fires at least
 * that often between ticks, for onBeforeTicks. With no tickables no timer is pending, so an
 * idle scheduler neither costs CPU nor holds the process open.
 *
 * Precise wakes. Node's timers wait at least 1 ms and wake on the loop's whole milliseconds, so
 * a thread due again in 0.3 ms sleeps 1-2 ms; a busy one then drifts into fewer, longer wakes
 * that each run many ticks late (a media thread at 100 x 10 woke 160 times a second instead of
 * 1000, running 1.2 ms at a stretch at the median and 8 ms at p99, which the OS preempted).
 * With `sleepUntil` each wake lands on its deadline (WakeTimer), and ticks run at most
 * PRECISE_EARLY_MS early.
 *
 * Stall policy. On a wake, let `due` be the number of a tickable's grid slots whose deadline has
 * passed, give or take EARLY_MS (normally 1), and `extra = due - 1`.
 *  - extra <= maxCatchUp (a hiccup, default 2): the due ticks run back-to-back, each with its own
 *    consecutive frameIndex, so nothing is lost and no more than maxCatchUp + 1 ticks ever burst.
 *  - extra > maxCatchUp (a stall, e.g. a GC pause or a blocked event loop): the `extra` oldest
 *    slots are dropped (added to skippedTicks, and one stall is counted) and a single tick runs
 *    now with the frameIndex of the newest passed slot. frameIndex thus jumps by the number
 *    dropped, timing stays on the original grid (no drift), and no burst of stale audio is mixed.
 * The tickable then continues on its grid. A tick that throws is reported through onError and
 * the clock carries on; the tickable stays scheduled.
 */

export interface Tickable {
  /** 10, 20 or 40 */
  readonly intervalMs: number;
  /**
   * frameIndex: the grid index of this tick (0, 1, 2, ... consecutive unless ticks were dropped by
   * the stall policy). lateMs: how late this tick runs vs its grid deadline (>= -1, see above).
   */
  tick(frameIndex: number, lateMs: number): void;
}

export interface SchedulerOptions {
  /** Monotonic ms; default monotonicMs (performance.now would allocate a number per call). */
  now?: () => number;
  /** Default 2: extra back-to-back ticks allowed after a hiccup before ticks are dropped. */
  maxCatchUp?: number;
  /** Default 1: start offsets per interval that tickables are spread over (1..interval). */
  phases?: number;
  /**
   * While anything is scheduled, wake at least this often (ms, whole) even with no tick due, so
   * that onBeforeTicks keeps up with work that arrives between ticks (reading sockets). Default:
   * wake only for ticks.
   */
  pollMs?: number;
  /**
   * Blocks the thread until a deadline on `now`'s clock (monotonic ms). Given, wakes land on
   * their deadline rather than on Node's millisecond timer grid (see "Precise wakes").
   */
  sleepUntil?: (deadlineMs: number) => void;
}

export interface SchedulerStats {
  ticks: number; skippedTicks: number; stalls: number;
  /** ms, over the last 32768 ticks. */
  lateness: { p50: number; p99: number; max: number; count: number };
}

/** How early a tick may run, to absorb Node's millisecond timer granularity. */
const EARLY_MS = 1;
/** With sleepUntil: how early a tick may run. */
const PRECISE_EARLY_MS = 0.25;
const LATENESS_WINDOW = 32768;

interface Entry {
  readonly t: Tickable;
  readonly interval: number;
  readonly anchor: number;
  /** The phase counter this entry holds a place in. */
  readonly phaseKey: string;
  /** Grid index of the next tick to run. */
  next: number;
  live: boolean;
  errorLogged: boolean;
}

export class Scheduler {
  /** Called at each wake before its ticks, outside any tick (e.g. to read sockets the ticks mix). */
  onBeforeTicks?: () => void;
  /** Called after each wake's ticks ran, outside any tick (e.g. to drain event queues). */
  onAfterTicks?: () => void;
  /** Called for every exception thrown by a tick. Default: console.error once per tickable. */
  onError?: (err: unknown, t: Tickable) => void;

  private readonly now: () => number;
  private readonly maxCatchUp: number;
  private readonly phases: number;
  private readonly pollMs: number;
  private readonly earlyMs: number;
  /** Tickables per "interval/offset", to place the next one on the emptiest offset. */
  private readonly phaseLoad = new Map<string, number>();
  private readonly epoch: number;
  private readonly entries: Entry[] = [];
  private readonly byTickable = new Map<Tickable, Entry>();
  private readonly lateness = new LatencyStats(LATENESS_WINDOW);
  private readonly latenessHistogram = new LatenessHistogram();
  private readonly timer: WakeTimer;
  private inWake = false;
  /** Set when an entry was removed during a wake; the array is compacted afterwards. */
  private dirty = false;
  private closed = false;
  /** Hooks whose last call threw: each failure streak is logged once. */
  private readonly hookFailed = { onBeforeTicks: false, onAfterTicks: false };
  private ticks = 0;
  private skippedTicks = 0;
  private stalls = 0;

  constructor(opts: SchedulerOptions = {}) {
    this.now = opts.now ?? monotonicMs;
    const maxCatchUp = opts.maxCatchUp ?? 2;
    if (!Number.isInteger(maxCatchUp) || maxCatchUp < 0) {
      throw new InvalidArgumentError('maxCatchUp', 'must be a non-negative integer');
    }
    this.maxCatchUp = maxCatchUp;
    const phases = opts.phases ?? 1;
    if (!Number.isInteger(phases) || phases < 1 || phases > 1000) {
      throw new InvalidArgumentError('phases', 'must be an integer in 1..1000');
    }
    this.phases = phases;
    const pollMs = opts.pollMs ?? Infinity;
    if (pollMs !== Infinity && (!Number.isInteger(pollMs) || pollMs < 1 || pollMs > 1000)) {
      throw new InvalidArgumentError('pollMs', 'must be an integer in 1..1000');
    }
    this.pollMs = pollMs;
    this.timer = new WakeTimer(() => this.wake(), this.now, opts.sleepUntil);
    this.earlyMs = this.timer.precise ? PRECISE_EARLY_MS : EARLY_MS;
    this.epoch = this.now();
  }

  add(t: Tickable): void {
    if (this.closed) throw new InvalidStateError('scheduler is closed');
    if (this.byTickable.has(t)) return;
    const interval = t.intervalMs;
    if (!(interval > 0) || !Number.isFinite(interval)) {
      throw new InvalidArgumentError('intervalMs', 'must be a positive finite number of ms');
    }
    const offset = this.quietestOffset(interval);
    const phaseKey = `${interval}/${offset}`;
    this.phaseLoad.set(phaseKey, (this.phaseLoad.get(phaseKey) ?? 0) + 1);
    const start = this.epoch + offset;
    const anchor = start + Math.max(0, Math.ceil((this.now() - start) / interval)) * interval;
    const e: Entry = { t, interval, anchor, phaseKey, next: 0, live: true, errorLogged: false };
    this.entries.push(e);
    this.byTickable.set(t, e);
    // Inside a wake the timer is re-armed when the wake ends.
    if (!this.inWake && anchor < this.timer.deadline) this.arm();
  }

  remove(t: Tickable): void {
    const e = this.byTickable.get(t);
    if (e === undefined) return;
    this.byTickable.delete(t);
    e.live = false;
    this.phaseLoad.set(e.phaseKey, this.phaseLoad.get(e.phaseKey)! - 1);
    if (this.inWake) {
      // The wake loop is walking the array by index; splicing now would skip a neighbour.
      this.dirty = true;
      return;
    }
    this.entries.splice(this.entries.indexOf(e), 1);
    if (this.entries.length === 0) this.disarm();
  }

  has(t: Tickable): boolean {
    return this.byTickable.has(t);
  }

  get size(): number {
    return this.byTickable.size;
  }

  /** Whether a timer is pending (diagnostics and tests: false whenever size is 0). */
  get timerPending(): boolean {
    return this.timer.pending;
  }

  stats(): SchedulerStats {
    const { ticks, skippedTicks, stalls } = this;
    return { ticks, skippedTicks, stalls, lateness: this.lateness.summary() };
  }

  /** Lateness of every tick since the start (or resetStats): two snapshots judge the time between. */
  latenessSince(): LatenessSnapshot {
    return this.latenessHistogram.snapshot();
  }

  resetStats(): void {
    this.ticks = this.skippedTicks = this.stalls = 0;
    this.lateness.reset();
    this.latenessHistogram.reset();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.disarm();
    for (const e of this.entries) e.live = false;
    this.entries.length = 0;
    this.byTickable.clear();
    this.phaseLoad.clear();
  }

  /** The whole-ms offset within `interval` that the fewest tickables of that interval use. */
  private quietestOffset(interval: number): number {
    const count = Math.max(1, Math.min(this.phases, Math.floor(interval)));
    let best = 0;
    let bestLoad = Infinity;
    for (let k = 0; k < count; k++) {
      const offset = Math.floor((k * interval) / count);
      const load = this.phaseLoad.get(`${interval}/${offset}`) ?? 0;
      if (load < bestLoad) {
        best = offset;
        bestLoad = load;
      }
    }
    return best;
  }

  private wake(): void {
    this.inWake = true;
    if (this.onBeforeTicks !== undefined) this.callHook('onBeforeTicks');
    const entries = this.entries;
    // Entries added by a tick are not visited in this wake; their first slot is still ahead.
    const n = entries.length;
    for (let i = 0; i < n && !this.closed; i++) if (entries[i].live) this.runDue(entries[i]);
    if (this.dirty) this.compact();
    this.inWake = false;
    if (this.onAfterTicks !== undefined && !this.closed) this.callHook('onAfterTicks');
    if (!this.closed && this.entries.length > 0) this.arm();
  }

  private runDue(e: Entry): void {
    const now = this.now();
    const late = now - (e.anchor + e.next * e.interval);
    if (late < -this.earlyMs) return;
    // Slots due within the early allowance count as due, or a wake 0.5 ms before a slot after a
    // stall would run the previous slot 19.5 ms late and then this one right behind it.
    const extra = Math.floor((late + this.earlyMs) / e.interval);
    if (extra > this.maxCatchUp) {
      this.skippedTicks += extra;
      this.stalls++;
      e.next += extra;
      this.runOne(e, now);
      return;
    }
    for (let k = 0; k <= extra && e.live; k++) this.runOne(e, k === 0 ? now : this.now());
  }

  private runOne(e: Entry, now: number): void {
    const frame = e.next++;
    const late = now - (e.anchor + frame * e.interval);
    this.ticks++;
    this.lateness.record(late);
    this.latenessHistogram.record(late);
    try {
      e.t.tick(frame, late);
    } catch (err) {
      this.report(err, e);
    }
  }

  private report(err: unknown, e: Entry): void {
    if (this.onError === undefined) {
      if (!e.errorLogged) {
        e.errorLogged = true;
        console.error('roomtone: tick threw (further errors from this tickable are not logged)', err);
      }
      return;
    }
    try {
      this.onError(err, e.t);
    } catch {
      // A failing error handler must not stop the clock either.
    }
  }

  private callHook(name: 'onBeforeTicks' | 'onAfterTicks'): void {
    try {
      this[name]!();
      this.hookFailed[name] = false;
    } catch (err) {
      if (!this.hookFailed[name]) console.error(`roomtone: ${name} threw`, err);
      this.hookFailed[name] = true;
    }
  }

  private compact(): void {
    const entries = this.entries;
    let w = 0;
    for (let r = 0; r < entries.length; r++) if (entries[r].live) entries[w++] = entries[r];
    entries.length = w;
    this.dirty = false;
  }

  private arm(): void {
    let due = Infinity;
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) {
      const d = entries[i].anchor + entries[i].next * entries[i].interval;
      if (d < due) due = d;
    }
    if (due === Infinity) return this.disarm();
    // A poll wake runs no tick (its deadline is not near) but calls onBeforeTicks.
    const now = this.now();
    this.timer.at(Math.min(due, now + this.pollMs), now);
  }

  private disarm(): void {
    this.timer.clear();
  }
}
