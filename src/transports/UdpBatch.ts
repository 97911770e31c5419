import { native } from '../native/binding.js';

const FIELDS = 5; // fd, IPv4, port, offset, length: the native record (native/net/udp_batch.h)
const ARENA_BYTES = 256 * 1024;
const MAX_PACKETS = 2048;

export interface UdpBatchStats {
  batches: number;
  packets: number;
  /** Datagrams the kernel refused (a full socket buffer, an unreachable address): dropped, as UDP does. */
  errors: number;
  lastErrno: number;
}

/**
 * The plain-RTP packets of one media thread's ticks, copied header and payload into one
 * preallocated arena and sent by one native call after the ticks (sendto() per datagram, on
 * each participant's own socket). Node's dgram send costs a request object, a buffer list and
 * a callback per packet; at hundreds of participants per tick that was the largest item of
 * the profile. Packets are added only inside ticks and flushed right after them, in the same
 * synchronous run, so no socket can close in between and leave a stale descriptor.
 */
export class UdpBatch {
  readonly stats: UdpBatchStats = { batches: 0, packets: 0, errors: 0, lastErrno: 0 };
  readonly #arena = new Uint8Array(ARENA_BYTES);
  readonly #records = new Int32Array(MAX_PACKETS * FIELDS);
  readonly #errors = new Int32Array(MAX_PACKETS);
  #count = 0;
  #used = 0;

  /** Queues header + payload for fd → address:port (address from ipv4ToInt). */
  add(fd: number, address: number, port: number, header: Uint8Array, payload: Uint8Array): void {
    const length = header.length + payload.length;
    if (this.#count === MAX_PACKETS || this.#used + length > ARENA_BYTES) this.flush();
    const at = this.#used;
    this.#arena.set(header, at);
    this.#arena.set(payload, at + header.length);
    const r = this.#count * FIELDS;
    this.#records[r] = fd;
    this.#records[r + 1] = address;
    this.#records[r + 2] = port;
    this.#records[r + 3] = at;
    this.#records[r + 4] = length;
    this.#count++;
    this.#used += length;
  }

  flush(): void {
    const count = this.#count;
    if (count === 0) return;
    this.#count = 0;
    this.#used = 0;
    const sent = native.sendUdpBatch(this.#arena, this.#records, count, this.#errors);
    this.stats.batches++;
    this.stats.packets += sent;
    if (sent < count) {
      this.stats.errors += count - sent;
      for (let i = 0; i < count; i++) if (this.#errors[i] !== 0) this.stats.lastErrno = this.#errors[i];
    }
  }
}
