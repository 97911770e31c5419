/** Event kinds the tick can raise; each record is (kind, a, b). */
export const TickEventKind = {
  StartTalking: 1, // a = participant id, b = energy
  StopTalking: 2, // a = participant id
  MuteDetect: 3, // a = participant id, b = energy
  FloorChange: 4, // a = new holder id (-1 none), b = previous holder id (-1 none)
} as const;
export type TickEventKind = (typeof TickEventKind)[keyof typeof TickEventKind];

const FIELDS = 3;

/**
 * The tick's outbox: a preallocated ring of integer records, so raising an event inside the
 * tick allocates nothing. It is drained after the tick, where events become objects.
 * When full, new records are dropped and counted rather than growing without bound.
 */
export class TickEventQueue {
  readonly #records: Int32Array;
  readonly #capacity: number;
  #head = 0;
  #size = 0;
  dropped = 0;

  constructor(capacity = 4096) {
    this.#capacity = capacity;
    this.#records = new Int32Array(capacity * FIELDS);
  }

  push(kind: TickEventKind, a: number, b = 0): void {
    if (this.#size === this.#capacity) {
      this.dropped++;
      return;
    }
    const at = ((this.#head + this.#size) % this.#capacity) * FIELDS;
    this.#records[at] = kind;
    this.#records[at + 1] = a;
    this.#records[at + 2] = b;
    this.#size++;
  }

  get size(): number {
    return this.#size;
  }

  /** Hands each queued record to `fn` in order and empties the queue. */
  drain(fn: (kind: TickEventKind, a: number, b: number) => void): void {
    while (this.#size > 0) {
      const at = this.#head * FIELDS;
      this.#head = (this.#head + 1) % this.#capacity;
      this.#size--;
      fn(this.#records[at] as TickEventKind, this.#records[at + 1], this.#records[at + 2]);
    }
  }
}
