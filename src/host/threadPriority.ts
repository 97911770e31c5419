import { constants, getPriority, setPriority } from 'node:os';
import { InvalidArgumentError } from '../errors.js';
import { native } from '../native/binding.js';
import type { Logger } from '../util/logger.js';

/** What a media thread asks of the OS scheduler (see MediaConfig). */
export interface ThreadPriority {
  /** SCHED_RR priority 1-99, or 0 for the ordinary scheduler. */
  realtime: number;
  /** Nice value -20..19 under the ordinary scheduler; 0 keeps the one the thread started with. */
  nice: number;
}

export function validateThreadPriority(p: ThreadPriority): void {
  if (!Number.isInteger(p.realtime) || p.realtime < 0 || p.realtime > 99) {
    throw new InvalidArgumentError('mediaRealtime', 'must be an integer from 0 (off) to 99');
  }
  if (!Number.isInteger(p.nice) || p.nice < -20 || p.nice > 19) {
    throw new InvalidArgumentError('mediaNice', 'must be an integer from -20 to 19');
  }
}

/**
 * Applies `want` to the calling thread alone (Linux keeps both per thread) and returns what
 * it got. A refusal is logged once and leaves the thread as it was: the media then runs, only
 * without the head start. Realtime is tried first; when refused, the nice value still is.
 */
export function applyThreadPriority(want: ThreadPriority, log: Logger): ThreadPriority {
  validateThreadPriority(want);
  const got: ThreadPriority = { realtime: 0, nice: getPriority(0) };
  if (want.realtime > 0) {
    const errno = native.setRealtimePriority(want.realtime);
    if (errno === 0) return { realtime: want.realtime, nice: got.nice };
    log.warn({ mediaRealtime: want.realtime, error: errnoName(errno) }, 'media thread stays off the realtime scheduler: it needs root, CAP_SYS_NICE or an RLIMIT_RTPRIO that allows the priority');
  }
  if (want.nice !== 0 && want.nice !== got.nice) {
    try {
      setPriority(0, want.nice);
      got.nice = want.nice;
    } catch (err) {
      log.warn({ mediaNice: want.nice, error: (err as Error).message }, 'media thread keeps its nice value: lowering it needs root or CAP_SYS_NICE');
    }
  }
  return got;
}

function errnoName(errno: number): string {
  const name = Object.entries(constants.errno).find(([, v]) => v === errno)?.[0];
  return name ?? `errno ${errno}`;
}
