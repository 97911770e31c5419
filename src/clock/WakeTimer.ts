/*
 * One pending wake of a thread at a deadline on a monotonic clock (ms).
 *
 * Node's timers count whole milliseconds and wait at least one, so a deadline 0.3 ms away is
 * reached 1-2 ms later, and one 5.4 ms away up to ~1.5 ms early or late. Given `sleepUntil`
 * (a blocking sleep to a deadline), a wake due within PRECISE_MS is reached by letting the event
 * loop run once (setImmediate: I/O and messages are served) and then sleeping the thread to the
 * deadline itself; a later one by a timer set to fire about 2 ms early, then the same. The
 * callback then never runs before its deadline. Without `sleepUntil` it is a plain setTimeout
 * with the delay rounded down, so the callback may run up to ~1.5 ms early.
 */

/** A deadline nearer than this is slept for rather than timed. */
const PRECISE_MS = 2.5;

export class WakeTimer {
  readonly #fn: () => void;
  readonly #now: () => number;
  readonly #sleepUntil: ((deadlineMs: number) => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #immediate: ReturnType<typeof setImmediate> | null = null;
  #deadline = Infinity;

  constructor(fn: () => void, now: () => number, sleepUntil?: (deadlineMs: number) => void) {
    this.#fn = fn;
    this.#now = now;
    this.#sleepUntil = sleepUntil;
  }

  /** Whether the wakes land on their deadlines (a sleeper was given). */
  get precise(): boolean {
    return this.#sleepUntil !== undefined;
  }

  get pending(): boolean {
    return this.#timer !== null || this.#immediate !== null;
  }

  /** The pending wake's deadline, Infinity when none. */
  get deadline(): number {
    return this.#deadline;
  }

  /** Replaces any pending wake with one at `deadlineMs` (`now`: the caller's reading of the clock). */
  at(deadlineMs: number, now = this.#now()): void {
    this.#cancel();
    this.#deadline = deadlineMs;
    const wait = deadlineMs - now;
    if (this.#sleepUntil !== undefined && wait < PRECISE_MS) {
      this.#immediate = setImmediate(this.#onImmediate);
      return;
    }
    const delay = Math.floor(this.#sleepUntil === undefined ? wait : wait - 2);
    this.#timer = setTimeout(this.#onTimer, delay > 0 ? delay : 0);
  }

  clear(): void {
    this.#cancel();
    this.#deadline = Infinity;
  }

  #cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#immediate !== null) clearImmediate(this.#immediate);
    this.#timer = null;
    this.#immediate = null;
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    // Fired early on purpose: sleep the rest of the way.
    if (this.#sleepUntil !== undefined && this.#deadline > this.#now()) return this.at(this.#deadline);
    this.#fire();
  };

  readonly #onImmediate = (): void => {
    this.#immediate = null;
    this.#sleepUntil!(this.#deadline);
    this.#fire();
  };

  #fire(): void {
    this.#deadline = Infinity;
    this.#fn();
  }
}
