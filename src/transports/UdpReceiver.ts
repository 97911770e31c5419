import type { Socket } from 'node:dgram';
import { native } from '../native/binding.js';
import { socketFd, stopEventLoopReads } from './socketHandle.js';

/** The native layout (native/net/udp_receiver.h). */
const FIELDS = 4; // slot, IPv4, port, length
const SLOT_BYTES = 1500;
/** Datagrams per native call; a drain makes more calls while they come back full. */
const MAX_PACKETS = 256;
const MAX_CALLS = 16;
/** A flooding socket gets this many datagrams per drain; the rest wait in its kernel buffer, which drops what does not fit. */
const PER_SOCKET = 8;

/**
 * One datagram: buf[0, length) from ip:port (IPv4 in host order), stamped by the kernel at
 * arrivalMs (ms since the Unix epoch). buf is reused by the next datagram: copy what must stay.
 * A length above 1500 means the datagram was larger and buf holds only its first 1500 bytes.
 */
export type DatagramHandler = (buf: Uint8Array, length: number, ip: number, port: number, arrivalMs: number) => void;

export interface UdpReceiverStats {
  drains: number;
  packets: number;
  /** Socket errors the kernel returned on a read (the socket is read again next time). */
  errors: number;
  lastErrno: number;
  /** Exceptions thrown by handlers; the drain goes on with the next datagram. */
  handlerErrors: number;
}

/**
 * The UDP sockets of one media thread, read at tick time rather than by the event loop. Node
 * reads a socket with a wake-up, a fresh Buffer, an rinfo object and a callback per datagram;
 * here one native call per drain reads every waiting datagram of every socket (epoll, then one
 * recvmmsg per ready socket) into a preallocated arena, and each handler gets a reused view.
 * Datagrams are read before the ticks that would mix them, so they wait no longer than before.
 */
export class UdpReceiver {
  /** Told of the first handler exception and every 1000th after it. */
  onHandlerError?: (err: unknown, count: number) => void;
  readonly #native = new native.UdpReceiver();
  readonly #arena = new Uint8Array(MAX_PACKETS * SLOT_BYTES);
  readonly #views: Uint8Array[] = Array.from({ length: MAX_PACKETS }, (_, i) => this.#arena.subarray(i * SLOT_BYTES, (i + 1) * SLOT_BYTES));
  readonly #records = new Int32Array(MAX_PACKETS * FIELDS);
  readonly #arrival = new Float64Array(MAX_PACKETS);
  readonly #handlers: (DatagramHandler | null)[] = [];
  readonly #fds: number[] = [];
  readonly #free: number[] = [];
  /** Slots freed during a drain: reusing one then could hand a departed socket's datagram to a newcomer. */
  readonly #freedInDrain: number[] = [];
  #draining = false;
  #closed = false;
  #drains = 0;
  #packets = 0;
  #handlerErrors = 0;
  #final: [number, number] = [0, 0];

  get stats(): UdpReceiverStats {
    const [errors, lastErrno] = this.#closed ? this.#final : this.#native.stats();
    return { drains: this.#drains, packets: this.#packets, errors, lastErrno, handlerErrors: this.#handlerErrors };
  }

  /**
   * Takes over reading a bound socket. Returns the slot to remove() before the socket closes, or
   * null when the socket cannot be read natively (the caller then listens through dgram).
   */
  add(socket: Socket, handler: DatagramHandler): number | null {
    if (this.#closed) return null;
    const fd = socketFd(socket);
    if (fd < 0) return null;
    const slot = this.#free.pop() ?? this.#handlers.length;
    if (this.#native.add(fd, slot) !== 0) {
      if (slot < this.#handlers.length) this.#free.push(slot);
      return null;
    }
    if (!stopEventLoopReads(socket)) {
      this.#native.remove(fd);
      if (slot < this.#handlers.length) this.#free.push(slot);
      return null;
    }
    this.#handlers[slot] = handler;
    this.#fds[slot] = fd;
    return slot;
  }

  /** Stops reading a slot's socket. Must come before the socket is closed (its fd may be reused). */
  remove(slot: number): void {
    if (this.#handlers[slot] == null) return;
    if (!this.#closed) this.#native.remove(this.#fds[slot]);
    this.#handlers[slot] = null;
    this.#fds[slot] = -1;
    (this.#draining ? this.#freedInDrain : this.#free).push(slot);
  }

  /** Hands every waiting datagram to its socket's handler. Returns how many there were. */
  drain(): number {
    if (this.#closed || this.#draining) return 0;
    this.#draining = true;
    let total = 0;
    try {
      for (let call = 0; call < MAX_CALLS; call++) {
        const n = this.#native.drain(this.#arena, this.#records, this.#arrival, MAX_PACKETS, PER_SOCKET);
        for (let i = 0; i < n; i++) this.#deliver(i);
        total += n;
        if (n < MAX_PACKETS) break;
      }
    } finally {
      this.#draining = false;
      for (const slot of this.#freedInDrain) this.#free.push(slot);
      this.#freedInDrain.length = 0;
    }
    this.#drains++;
    this.#packets += total;
    return total;
  }

  close(): void {
    if (this.#closed) return;
    this.#final = this.#native.stats();
    this.#closed = true;
    this.#native.close();
  }

  #deliver(i: number): void {
    const r = i * FIELDS;
    const handler = this.#handlers[this.#records[r]];
    if (handler == null) return;
    try {
      handler(this.#views[i], this.#records[r + 3], this.#records[r + 1], this.#records[r + 2], this.#arrival[i]);
    } catch (err) {
      const count = ++this.#handlerErrors;
      if (count === 1 || count % 1000 === 0) this.onHandlerError?.(err, count);
    }
  }
}
