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

/** Slot size to start with: a 20 ms Opus packet at up to 64 kbit/s, or 20 ms of G.711. */
const INITIAL_SLOT_BYTES = 160;

/**
 * Received packets ordered by extended sequence number, released strictly in order. Reordered
 * packets wait for their turn, duplicates and packets older than the playout point are refused,
 * and sequence wrap-around is unwrapped. Payloads are copied into one arena of equal slots, so
 * the buffer allocates nothing per packet; the slots start at a typical packet's size and double
 * (up to maxPayload) only when a larger packet arrives, so a quiet softphone does not pay for
 * 1500-byte slots. The playout *policy* (when to start, how deep to be,
 * when to declare loss) belongs to InboundStream; this class only keeps order.
 */
export class JitterBuffer {
  readonly #capacity: number;
  readonly #maxPayload: number;
  #arena: Uint8Array;
  #slotBytes = INITIAL_SLOT_BYTES;
  readonly #lengths: Int32Array;
  readonly #seqs: Float64Array;
  readonly #timestamps: Float64Array;
  readonly #used: Uint8Array;
  readonly #markers: Uint8Array;
  /** RFC 6464 level per slot, or -1. */
  readonly #levels: Int8Array;
  #count = 0;
  /** Extended sequence number of the next packet to release; NaN before the first packet. */
  #next = NaN;
  #highestSeq = NaN;
  #highestTs = NaN;
  /** Filled by take(): the released packet. */
  payload: Uint8Array = new Uint8Array(0);
  timestamp = 0;
  marker = false;
  /** RFC 6464 level the sender gave the released packet (0-127), or -1. */
  level = -1;
  /** The released slot held no audio (see pushPlaceholder). */
  placeholder = false;

  constructor(opts: JitterBufferOptions = {}) {
    this.#capacity = opts.capacity ?? 64;
    this.#maxPayload = opts.maxPayload ?? 1500;
    this.#slotBytes = Math.min(INITIAL_SLOT_BYTES, this.#maxPayload);
    this.#arena = new Uint8Array(this.#capacity * this.#slotBytes);
    this.#lengths = new Int32Array(this.#capacity);
    this.#seqs = new Float64Array(this.#capacity);
    this.#timestamps = new Float64Array(this.#capacity);
    this.#used = new Uint8Array(this.#capacity);
    this.#markers = new Uint8Array(this.#capacity);
    this.#levels = new Int8Array(this.#capacity);
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
    return this.push(seq, ts, this.#arena, 0, -1, false);
  }

  push(seq: number, ts: number, payload: Uint8Array, offset: number, length: number, marker: boolean, level = -1): JitterPushResult {
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
    if (length > this.#slotBytes) this.#grow(length);
    // A copy loop, not set(subarray()): a view object per packet is what the young generation
    // would otherwise collect, and payloads are small.
    const arena = this.#arena;
    const base = slot * this.#slotBytes - offset;
    for (let i = offset; i < offset + length; i++) arena[base + i] = payload[i];
    this.#lengths[slot] = length;
    this.#seqs[slot] = ext;
    this.#timestamps[slot] = extTs;
    this.#markers[slot] = marker ? 1 : 0;
    this.#levels[slot] = level;
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
    const start = slot * this.#slotBytes;
    this.payload = this.#arena.subarray(start, start + Math.max(0, this.#lengths[slot]));
    this.level = this.#levels[slot];
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

  /** Widens every slot to hold `length` bytes, keeping what the slots hold. */
  #grow(length: number): void {
    let bytes = this.#slotBytes;
    while (bytes < length) bytes *= 2;
    bytes = Math.min(bytes, this.#maxPayload);
    const arena = new Uint8Array(this.#capacity * bytes);
    for (let slot = 0; slot < this.#capacity; slot++) {
      const n = this.#lengths[slot];
      if (this.#used[slot] && n > 0) arena.set(this.#arena.subarray(slot * this.#slotBytes, slot * this.#slotBytes + n), slot * bytes);
    }
    this.#arena = arena;
    this.#slotBytes = bytes;
  }

  reset(): void {
    this.#used.fill(0);
    this.#count = 0;
    this.#next = NaN;
    this.#highestSeq = NaN;
    this.#highestTs = NaN;
  }
}
