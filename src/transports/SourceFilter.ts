import { intToIpv4, ipv4ToInt } from './ipv4.js';

export interface Endpoint {
  address: string;
  port: number;
}

/** How long a latched source must be silent before a NAT rebinding may move it. */
const RELATCH_AFTER_MS = 2000;
/** Matches no source: an address that is not IPv4 (the sockets are udp4). */
const NO_IP = -0.5;

/**
 * Which source addresses may send us media, and where we send ours.
 *
 * The first packet from the address the SDP declared latches that exact address and port
 * (senders such as ffmpeg send from a different port than the one they receive on). After that
 * only the latched source is accepted. With `latching` on (NAT'd phones), the first packet from
 * anywhere latches, media is sent back to the latched source, and a source silent for 2 s may
 * be replaced by a new one. Sources are compared as numbers (IPv4, host order): a packet from
 * the latched source costs no string.
 */
export class SourceFilter {
  #declared: Endpoint;
  #declaredIp: number;
  readonly #latching: boolean;
  #latched: Endpoint | null = null;
  #latchedIp = NO_IP;
  #lastAcceptedAt = 0;

  constructor(declared: Endpoint, latching: boolean) {
    this.#declared = declared;
    this.#declaredIp = ipv4ToInt(declared.address) ?? NO_IP;
    this.#latching = latching;
  }

  accept(ip: number, port: number, nowMs: number): boolean {
    const l = this.#latched;
    if (l !== null && this.#latchedIp === ip && l.port === port) {
      this.#lastAcceptedAt = nowMs;
      return true;
    }
    const mayLatch =
      l === null ? this.#latching || ip === this.#declaredIp : this.#latching && nowMs - this.#lastAcceptedAt > RELATCH_AFTER_MS;
    if (!mayLatch) return false;
    this.#latched = { address: intToIpv4(ip), port };
    this.#latchedIp = ip;
    this.#lastAcceptedAt = nowMs;
    return true;
  }

  /** RTCP on its own port comes from the media source's address, from another port; it never latches. */
  acceptRtcp(ip: number): boolean {
    return this.#latching || ip === (this.#latched !== null ? this.#latchedIp : this.#declaredIp);
  }

  /** Where RTP goes: the latched source when latching, else the declared address. */
  get destination(): Endpoint {
    return this.#latching && this.#latched !== null ? this.#latched : this.#declared;
  }

  get latched(): Endpoint | null {
    return this.#latched;
  }

  /** A re-offer moved the remote end. */
  redeclare(declared: Endpoint): void {
    this.#declared = declared;
    this.#declaredIp = ipv4ToInt(declared.address) ?? NO_IP;
    if (this.#latched !== null && this.#latchedIp !== this.#declaredIp && !this.#latching) {
      this.#latched = null;
      this.#latchedIp = NO_IP;
    }
  }
}
