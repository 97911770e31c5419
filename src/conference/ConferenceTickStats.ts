import type { TickHistogram } from './TickHistogram.js';

const RECENT = 16;

/** Per-conference tick figures, updated in place by the tick (no allocation). */
export class ConferenceTickStats {
  ticks = 0;
  lastFrameIndex = -1;
  /** Ticks the clock dropped for this conference (frame index jumps). */
  skipped = 0;
  /** Ticks whose frame index did not advance (a doubled tick; should stay 0). */
  repeated = 0;
  lastTickMs = 0;
  maxTickMs = 0;
  totalTickMs = 0;
  maxLateMs = 0;
  /** The last RECENT ticks' frame indexes and lateness, as rings. */
  readonly #recentFrame = new Float64Array(RECENT);
  readonly #recentLate = new Float64Array(RECENT);
  readonly #histogram: TickHistogram | undefined;

  /** `histogram` collects every conference's tick durations on one media thread. */
  constructor(histogram?: TickHistogram) {
    this.#histogram = histogram;
  }

  record(frameIndex: number, lateMs: number, tickMs: number): void {
    if (this.lastFrameIndex >= 0 && frameIndex > this.lastFrameIndex + 1) {
      this.skipped += frameIndex - this.lastFrameIndex - 1;
    } else if (this.lastFrameIndex >= 0 && frameIndex <= this.lastFrameIndex) {
      this.repeated++;
    }
    this.#recentFrame[this.ticks % RECENT] = frameIndex;
    this.#recentLate[this.ticks % RECENT] = lateMs;
    this.lastFrameIndex = frameIndex;
    this.ticks++;
    this.lastTickMs = tickMs;
    this.totalTickMs += tickMs;
    this.#histogram?.observe(tickMs);
    if (tickMs > this.maxTickMs) this.maxTickMs = tickMs;
    if (lateMs > this.maxLateMs) this.maxLateMs = lateMs;
  }

  /** Oldest first. */
  recent(): { frameIndex: number; lateMs: number }[] {
    const out = [];
    for (let k = Math.max(0, this.ticks - RECENT); k < this.ticks; k++) {
      out.push({ frameIndex: this.#recentFrame[k % RECENT], lateMs: this.#recentLate[k % RECENT] });
    }
    return out;
  }

  toJSON() {
    return {
      ticks: this.ticks,
      skipped: this.skipped,
      repeated: this.repeated,
      lastTickMs: this.lastTickMs,
      maxTickMs: this.maxTickMs,
      meanTickMs: this.ticks ? this.totalTickMs / this.ticks : 0,
      maxLateMs: this.maxLateMs,
      recent: this.recent(),
    };
  }
}
