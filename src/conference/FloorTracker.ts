/**
 * Who holds the floor. Each participant's score is an exponential average of its energy
 * (about 100 ms at 20 ms frames), so one loud frame does not win the floor. The floor goes to
 * the talking participant with the best score, and moves only when the holder is no longer
 * talking (or leaves): a louder voice does not cut the current speaker off.
 */
export class FloorTracker {
  static readonly SMOOTHING = 0.2;
  /** Participant id holding the floor, or -1. */
  holder = -1;

  /** Updates a participant's smoothed score in place and returns it. */
  static score(previous: number, energy: number): number {
    return previous + (energy - previous) * FloorTracker.SMOOTHING;
  }

  /**
   * Decides the floor after a tick. `talking(i)` and `scoreOf(i)` describe slot i; `idOf(i)`
   * maps a slot to a participant id. Returns the new holder if it changed, else undefined.
   */
  decide(
    count: number,
    holderTalking: boolean,
    talking: (i: number) => boolean,
    scoreOf: (i: number) => number,
    idOf: (i: number) => number,
  ): number | undefined {
    if (this.holder !== -1 && holderTalking) return undefined;
    let best = -1;
    let bestScore = -1;
    for (let i = 0; i < count; i++) {
      if (!talking(i)) continue;
      const sc = scoreOf(i);
      if (sc > bestScore) {
        bestScore = sc;
        best = i;
      }
    }
    if (best === -1) return undefined;
    const id = idOf(best);
    if (id === this.holder) return undefined;
    this.holder = id;
    return id;
  }

  /** The holder left: the floor is free until someone talks. Returns true if it was held. */
  release(id: number): boolean {
    if (this.holder !== id) return false;
    this.holder = -1;
    return true;
  }
}
