import { unwrapSeq, unwrapTimestamp } from './sequence.js';

export type JitterPushResult = 'ok' | 'duplicate' | 'late' | 'overflow' | 'too-large';

/** What the next playout step is: a packet, a packet known to be lost, or nothing yet. */
export const Playout = { Packet: 0, Lost: 1, Empty: 2 } as const;
export type Playout = (typeof Playout)[keyof typeof Playout];

export interface JitterBufferOptions {
  /** Packets held at most; a remote party cannot make it grow. */
  capacity?: number;
  maxPayload?: number;
}

/**
 * Received packets ordered by extended sequence number, released strictly in order. Reordered
 * packets wait for their turn, duplicates and packets older than the playout point are refused,
 * and sequence wrap-around is unwrapped. Payloads are copied into preallocated slots, so the
 * buffer allocates nothing per packet. The playout *policy* (when to start, how deep to be,
 * when to declare loss) belongs to InboundStream; this class only keeps order.
 */
export class JitterBuffer {
  readonly #capacity: number;
  readonly #maxPayload: number;
  readonly #payloads: Uint8Array[];
  readonly #lengths: Int32Array;
  readonly #seqs: Float64Array;
  readonly #timestamps: Float64Array;
  readonly #used: Uint8Array;
  readonly #markers: Uint8Array;
  #count = 0;
  /** Extended sequence number of the next packet to release; NaN before the first packet. */
  #next = NaN;
  #highestSeq = NaN;
  #highestTs = NaN;
  /** Filled by take(): the released packet. */
  payload: Uint8Array = new Uint8Array(0);
  timestamp = 0;
  marker = false;
  /** The released slot held no audio (see pushPlaceholder). */
  placeholder = false;

  constructor(opts: JitterBufferOptions = {}) {
    this.#capacity = opts.capacity ?? 64;
    this.#maxPayload = opts.maxPayload ?? 1500;
    this.#payloads = Array.from({ length: this.#capacity }, () => new Uint8Array(this.#maxPayload));
    this.#lengths = new Int32Array(this.#capacity);
    this.#seqs = new Float64Array(this.#capacity);
    this.#timestamps = new Float64Array(this.#capacity);
    this.#used = new Uint8Array(this.#capacity);
    this.#markers = new Uint8Array(this.#capacity);
  }

  get size(): number {
    return this.#count;
  }

  /** Extended sequence number the next release expects. */
  get nextSeq(): number {
    return this.#next;
  }

  /** Occupies a sequence number that carries no audio (DTMF, comfort noise), so it is not taken for loss. */
  pushPlaceholder(seq: number, ts: number): JitterPushResult {
    return this.push(seq, ts, this.#payloads[0], 0, -1, false);
  }

  push(seq: number, ts: number, payload: Uint8Array, offset: number, length: number, marker: boolean): JitterPushResult {
    if (length > this.#maxPayload) return 'too-large';
    const ext = Number.isNaN(this.#highestSeq) ? seq + 0x10000 : unwrapSeq(seq, this.#highestSeq);
    const extTs = Number.isNaN(this.#highestTs) ? ts + 0x100000000 : unwrapTimestamp(ts, this.#highestTs);
    if (Number.isNaN(this.#next)) this.#next = ext;
    if (ext < this.#next) return 'late';
    if (ext - this.#next >= this.#capacity) {
      // Far ahead of the playout point: either a burst we cannot hold or a sender restart.
      return 'overflow';
    }
    const slot = ext % this.#capacity;
    if (this.#used[slot] && this.#seqs[slot] === ext) return 'duplicate';
    if (length > 0) this.#payloads[slot].set(payload.subarray(offset, offset + length));
    this.#lengths[slot] = length;
    this.#seqs[slot] = ext;
    this.#timestamps[slot] = extTs;
    this.#markers[slot] = marker ? 1 : 0;
    this.#used[slot] = 1;
    this.#count++;
    if (Number.isNaN(this.#highestSeq) || ext > this.#highestSeq) {
      this.#highestSeq = ext;
      this.#highestTs = extTs;
    }
    return 'ok';
  }

  /**
   * Releases the next packet in order (Playout.Packet, fields set on this object), reports it
   * missing when later packets are already here (Playout.Lost: the caller conceals and calls
   * skip()), or Playout.Empty when nothing at or after the playout point has arrived.
   */
  peek(): Playout {
    if (this.#count === 0) return Playout.Empty;
    const slot = this.#next % this.#capacity;
    if (this.#used[slot] && this.#seqs[slot] === this.#next) return Playout.Packet;
    return Playout.Lost;
  }

  /** Takes the packet peek() reported; `payload` is valid until the next push. */
  take(): void {
    const slot = this.#next % this.#capacity;
    this.placeholder = this.#lengths[slot] < 0;
    this.payload = this.#payloads[slot].subarray(0, Math.max(0, this.#lengths[slot]));
    this.timestamp = this.#timestamps[slot];
    this.marker = this.#markers[slot] === 1;
    this.#used[slot] = 0;
    this.#count--;
    this.#next++;
  }

  /** Moves past a lost packet. */
  skip(): void {
    this.#next++;
  }

  /** Drops the oldest waiting packet (to shrink the delay). */
  dropOldest(): void {
    while (this.#count > 0) {
      const slot = this.#next % this.#capacity;
      const had = this.#used[slot] && this.#seqs[slot] === this.#next;
      this.#next++;
      if (had) {
        this.#used[slot] = 0;
        this.#count--;
        return;
      }
    }
  }

  /** Timestamp span from the playout point to the newest packet, in RTP units. */
  spanTimestamp(nextTs: number): number {
    return this.#count === 0 ? 0 : this.#highestTs - nextTs;
  }

  /** Timestamp of the oldest waiting packet, or NaN. */
  oldestTimestamp(): number {
    for (let k = this.#next; k <= this.#highestSeq; k++) {
      const slot = k % this.#capacity;
      if (this.#used[slot] && this.#seqs[slot] === k) return this.#timestamps[slot];
    }
    return NaN;
  }

  reset(): void {
    this.#used.fill(0);
    this.#count = 0;
    this.#next = NaN;
    this.#highestSeq = NaN;
    this.#highestTs = NaN;
  }
}
