/** Per-conference tick figures, updated in place by the tick. */
export class ConferenceTickStats {
  ticks = 0;
  lastFrameIndex = -1;
  /** Ticks the clock dropped for this conference (frame index jumps). */
  skipped = 0;
  lastTickMs = 0;
  maxTickMs = 0;
  totalTickMs = 0;
  maxLateMs = 0;

  record(frameIndex: number, lateMs: number, tickMs: number): void {
    if (this.lastFrameIndex >= 0 && frameIndex > this.lastFrameIndex + 1) {
      this.skipped += frameIndex - this.lastFrameIndex - 1;
    }
    this.lastFrameIndex = frameIndex;
    this.ticks++;
    this.lastTickMs = tickMs;
    this.totalTickMs += tickMs;
    if (tickMs > this.maxTickMs) this.maxTickMs = tickMs;
    if (lateMs > this.maxLateMs) this.maxLateMs = lateMs;
  }

  toJSON() {
    return {
      ticks: this.ticks,
      skipped: this.skipped,
      lastTickMs: this.lastTickMs,
      maxTickMs: this.maxTickMs,
      meanTickMs: this.ticks ? this.totalTickMs / this.ticks : 0,
      maxLateMs: this.maxLateMs,
    };
  }
}
