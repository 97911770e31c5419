import { native } from '../native/binding.js';

const cell = new Float64Array(1);

/**
 * Monotonic milliseconds that do not allocate: performance.now() boxes its result in a new
 * heap number on every call, which the tick cannot afford. Arbitrary origin; use for intervals.
 */
export function monotonicMs(): number {
  native.monotonicNow(cell);
  return cell[0];
}
