import { createSocket, type Socket } from 'node:dgram';
import { InvalidArgumentError, InvalidStateError } from '../errors.js';

export interface PortRange {
  min: number;
  max: number;
}

export interface BoundPorts {
  rtpPort: number;
  rtp: Socket;
  /** Present when RTCP is not multiplexed: bound on rtpPort + 1. */
  rtcp?: Socket;
}

/** Parses "min-max" (ROOMTONE_RTP_PORTS) into an even-aligned range. */
export function parsePortRange(text: string): PortRange {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2]) : NaN;
  if (!m || min < 1024 || max > 65535 || max - min < 3) {
    throw new InvalidArgumentError('rtpPorts', 'must be "min-max" within 1024-65535, at least 4 ports');
  }
  return { min, max };
}

/** Splits a range into `parts` disjoint ranges, one per media worker. */
export function splitPortRange(range: PortRange, parts: number): PortRange[] {
  const size = Math.floor((range.max - range.min + 1) / parts);
  return Array.from({ length: parts }, (_, i) => ({ min: range.min + i * size, max: range.min + (i + 1) * size - 1 }));
}

/**
 * RTP ports of one media thread. Pairs start on even ports (RTP even, RTCP odd, RFC 3550
 * §11); a port is handed out only once its socket is bound, and one that another program holds
 * is skipped. Released ports go to the back of the queue, so a late packet for a departed
 * participant does not land on a newcomer at once.
 */
export class PortPool {
  readonly #free: number[] = [];
  readonly #address: string;

  constructor(range: PortRange, bindAddress: string) {
    this.#address = bindAddress;
    for (let p = range.min + (range.min % 2); p + 1 <= range.max; p += 2) this.#free.push(p);
  }

  get available(): number {
    return this.#free.length;
  }

  async allocate(withRtcp: boolean): Promise<BoundPorts> {
    for (let attempts = this.#free.length; attempts > 0; attempts--) {
      const port = this.#free.shift()!;
      try {
        const rtp = await bind(port, this.#address);
        if (!withRtcp) return { rtpPort: port, rtp };
        try {
          return { rtpPort: port, rtp, rtcp: await bind(port + 1, this.#address) };
        } catch (err) {
          rtp.close();
          throw err;
        }
      } catch {
        this.#free.push(port); // in use elsewhere; try it again later
      }
    }
    throw new InvalidStateError('no free RTP port in the configured range');
  }

  release(port: number): void {
    if (!this.#free.includes(port)) this.#free.push(port);
  }
}

function bind(port: number, address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: false, lookup: literalLookup });
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, address, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/**
 * Every address we send to is an IPv4 literal (SDP validation, latched source addresses), so
 * there is nothing to resolve. Node's default lookup still defers each send to the next tick
 * through dns.lookup; answering synchronously sends at once, without that per-packet detour.
 */
function literalLookup(address: string, _options: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, 4);
}
