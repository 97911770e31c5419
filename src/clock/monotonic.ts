import { InvalidArgumentError } from '../errors.js';
import { native } from '../native/binding.js';

const cell = new Float64Array(1);
const deadline = new Float64Array(1);

/**
 * Monotonic milliseconds that do not allocate: performance.now() boxes its result in a new
 * heap number on every call, which the tick cannot afford. Arbitrary origin; use for intervals.
 */
export function monotonicMs(): number {
  native.monotonicNow(cell);
  return cell[0];
}

/**
 * Blocks this thread until monotonicMs() reaches `deadlineMs` (at once when it has; never more
 * than 20 ms). For a wake that Node's timers cannot place: they count whole milliseconds and
 * wait at least one, so a thread due again in 0.4 ms would sleep 1-2 ms instead.
 */
export function sleepUntilMs(deadlineMs: number): void {
  if (!Number.isFinite(deadlineMs)) throw new InvalidArgumentError('deadlineMs', 'must be a finite number of ms');
  deadline[0] = deadlineMs;
  native.sleepUntil(deadline);
}
