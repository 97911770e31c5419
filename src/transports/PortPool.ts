import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { InvalidArgumentError, InvalidStateError, QuotaError } from '../errors.js';

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

/** Port pairs of a pool: held by participants, resting after release, or free. */
export interface PortPoolStats {
  pairs: number;
  inUse: number;
  cooling: number;
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

/** A released pair rests this long before it is handed out again, unless nothing else is free. */
const COOLING_MS = 5000;

/**
 * RTP ports of one media thread. Pairs start on even ports (RTP even, RTCP odd, RFC 3550
 * §11) and are handed out at random, so that nobody can predict the next participant's port
 * and aim an SDP at it. A port is handed out only once its socket is bound; one that another
 * program holds is skipped. A released pair rests for a while, so a late packet for a departed
 * participant does not land on a newcomer at once. A tenant (an account) may hold at most its
 * share of the pairs, so that one account cannot take every port.
 */
export class PortPool {
  readonly #free: number[] = [];
  /** Released pairs, oldest first. */
  readonly #cooling: { port: number; until: number }[] = [];
  readonly #tenantOf = new Map<number, string | undefined>();
  readonly #held = new Map<string, number>();
  readonly #address: string;
  readonly #pairs: number;
  /** Most pairs one tenant may hold. */
  readonly #perTenant: number;

  constructor(range: PortRange, bindAddress: string, share = 1) {
    this.#address = bindAddress;
    for (let p = range.min + (range.min % 2); p + 1 <= range.max; p += 2) this.#free.push(p);
    this.#pairs = this.#free.length;
    this.#perTenant = Math.max(1, Math.floor(this.#pairs * share));
  }

  get available(): number {
    return this.#free.length + this.#cooling.length;
  }

  get stats(): PortPoolStats {
    this.#rested();
    return { pairs: this.#pairs, inUse: this.#tenantOf.size, cooling: this.#cooling.length };
  }

  /** Pairs whose rest is over are free again (a scrape must not report them as cooling). */
  #rested(now = Date.now()): void {
    while (this.#cooling.length > 0 && this.#cooling[0].until <= now) this.#free.push(this.#cooling.shift()!.port);
  }

  async allocate(withRtcp: boolean, tenant?: string): Promise<BoundPorts> {
    if (tenant !== undefined) {
      const held = this.#held.get(tenant) ?? 0;
      if (held >= this.#perTenant) {
        throw new QuotaError(
          'rtp_port_share',
          this.#perTenant,
          `the account holds ${held} of this media thread's ${this.#pairs} RTP port pairs, its whole share (rtpPortShare)`,
        );
      }
      this.#held.set(tenant, held + 1);
    }
    const ports = await this.#bindAny(withRtcp);
    if (ports === null) {
      this.#unhold(tenant);
      throw new InvalidStateError('no free RTP port in the configured range');
    }
    this.#tenantOf.set(ports.rtpPort, tenant);
    return ports;
  }

  async #bindAny(withRtcp: boolean): Promise<BoundPorts | null> {
    for (let attempts = this.available; attempts > 0; attempts--) {
      const port = this.#take();
      if (port === undefined) return null;
      try {
        return await bindPair(port, this.#address, withRtcp);
      } catch {
        this.#cooling.push({ port, until: Date.now() + COOLING_MS }); // in use elsewhere; try it again later
      }
    }
    return null;
  }

  release(port: number): void {
    if (!this.#tenantOf.has(port)) return;
    this.#unhold(this.#tenantOf.get(port));
    this.#tenantOf.delete(port);
    this.#cooling.push({ port, until: Date.now() + COOLING_MS });
  }

  /** A random free pair; a resting one only when none is free, the longest-resting first. */
  #take(): number | undefined {
    this.#rested();
    if (this.#free.length === 0) return this.#cooling.shift()?.port;
    const i = randomInt(this.#free.length);
    const port = this.#free[i];
    this.#free[i] = this.#free[this.#free.length - 1];
    this.#free.pop();
    return port;
  }

  #unhold(tenant: string | undefined): void {
    if (tenant === undefined) return;
    const n = (this.#held.get(tenant) ?? 1) - 1;
    if (n > 0) this.#held.set(tenant, n);
    else this.#held.delete(tenant);
  }
}

async function bindPair(port: number, address: string, withRtcp: boolean): Promise<BoundPorts> {
  const rtp = await bind(port, address);
  if (!withRtcp) return { rtpPort: port, rtp };
  try {
    return { rtpPort: port, rtp, rtcp: await bind(port + 1, address) };
  } catch (err) {
    rtp.close();
    throw err;
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
