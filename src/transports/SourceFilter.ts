export interface Endpoint {
  address: string;
  port: number;
}

/** How long a latched source must be silent before a NAT rebinding may move it. */
const RELATCH_AFTER_MS = 2000;

/**
 * Which source addresses may send us media, and where we send ours.
 *
 * The first packet from the address the SDP declared latches that exact address and port
 * (senders such as ffmpeg send from a different port than the one they receive on). After that
 * only the latched source is accepted. With `latching` on (NAT'd phones), the first packet from
 * anywhere latches, media is sent back to the latched source, and a source silent for 2 s may
 * be replaced by a new one.
 */
export class SourceFilter {
  #declared: Endpoint;
  readonly #latching: boolean;
  #latched: Endpoint | null = null;
  #lastAcceptedAt = 0;

  constructor(declared: Endpoint, latching: boolean) {
    this.#declared = declared;
    this.#latching = latching;
  }

  accept(address: string, port: number, nowMs: number): boolean {
    const l = this.#latched;
    if (l !== null && l.address === address && l.port === port) {
      this.#lastAcceptedAt = nowMs;
      return true;
    }
    const mayLatch =
      l === null ? this.#latching || address === this.#declared.address : this.#latching && nowMs - this.#lastAcceptedAt > RELATCH_AFTER_MS;
    if (!mayLatch) return false;
    this.#latched = { address, port };
    this.#lastAcceptedAt = nowMs;
    return true;
  }

  /** RTCP on its own port comes from the media source's address, from another port; it never latches. */
  acceptRtcp(address: string): boolean {
    return this.#latching || address === (this.#latched?.address ?? this.#declared.address);
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
    if (this.#latched !== null && this.#latched.address !== declared.address && !this.#latching) this.#latched = null;
  }
}
