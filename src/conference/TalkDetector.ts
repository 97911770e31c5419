/** Talk-detection tuning, per conference. */
export interface TalkSettings {
  /** Consecutive frames above the threshold before start-talking (the hang-under). */
  hangUnderFrames: number;
  /** Time below the threshold before stop-talking (the hang-over). */
  hangOverMs: number;
}

export const DEFAULT_TALK_SETTINGS: TalkSettings = { hangUnderFrames: 2, hangOverMs: 500 };

export const TalkChange = {
  None: 0,
  Start: 1,
  Stop: 2,
  /** Started talking while muted (reported once per burst). */
  MuteDetect: 4,
} as const;

/**
 * Start/stop-talking state of one participant from its per-tick energies. Talking starts after
 * `hangUnderFrames` loud frames in a row and stops after `hangOverMs` of quiet, so a pause
 * between words does not toggle it. While talking, the quiet threshold is half the start
 * threshold (hysteresis), which keeps word tails inside the burst.
 */
export class TalkDetector {
  talking = false;
  #above = 0;
  #quietMs = 0;
  #muteReported = false;

  /** Returns TalkChange bits for this frame. */
  update(energy: number, threshold: number, muted: boolean, frameMs: number, s: TalkSettings): number {
    const level = Math.max(threshold, 1);
    if (!this.talking) {
      this.#above = energy >= level ? this.#above + 1 : 0;
      if (this.#above < s.hangUnderFrames) return TalkChange.None;
      this.talking = true;
      this.#quietMs = 0;
      this.#muteReported = muted;
      return muted ? TalkChange.Start | TalkChange.MuteDetect : TalkChange.Start;
    }
    if (energy >= level / 2) {
      this.#quietMs = 0;
      if (muted && !this.#muteReported) {
        this.#muteReported = true;
        return TalkChange.MuteDetect;
      }
      return TalkChange.None;
    }
    this.#quietMs += frameMs;
    if (this.#quietMs < s.hangOverMs) return TalkChange.None;
    this.talking = false;
    this.#above = 0;
    return TalkChange.Stop;
  }

  /** The gate threshold the kernel should use next tick: lower while a burst is running. */
  gateThreshold(threshold: number): number {
    return this.talking ? threshold >> 1 : threshold;
  }

  reset(): void {
    this.talking = false;
    this.#above = 0;
    this.#quietMs = 0;
    this.#muteReported = false;
  }
}
