import { intToIpv4, ipv4ToInt } from './ipv4.js';

export interface Endpoint {
  address: string;
  port: number;
}

/** How a datagram's source stands (SourceFilter.classify). */
export const SOURCE_LEARNED = 0;
/** Not learned, but it may become the source by proving itself (SourceFilter.learn). */
export const SOURCE_CANDIDATE = 1;
export const SOURCE_FOREIGN = 2;
/** With latching, while a source is live: only its own stream (its SSRC) may move here, a NAT rebinding. */
export const SOURCE_MOVED = 3;
export type SourceVerdict = typeof SOURCE_LEARNED | typeof SOURCE_CANDIDATE | typeof SOURCE_FOREIGN | typeof SOURCE_MOVED;

export interface SourceFilterOptions {
  /** Where the SDP says the peer receives. */
  declared: Endpoint;
  /** Learn sources on any address (NAT'd phones) and send media back to the learned one. */
  latching: boolean;
  /** With latching, whether a source may become a destination (DestinationPolicy.permits). */
  permits?: (ip: number, port: number) => boolean;
}

/** In-sequence RTP packets that teach a source, as Asterisk's strictrtp learns one. */
export const PROBATION_PACKETS = 4;
/** How long a learned source must be silent before another may replace it. */
const RELEARN_AFTER_MS = 2000;
/** Sources on probation at once; an interleaved stray cannot reset the real sender's count. */
const CANDIDATES = 4;
/** Matches no source: an address that is not IPv4 (the sockets are udp4). */
const NO_IP = -0.5;

interface Candidate {
  ip: number;
  port: number;
  ssrc: number;
  nextSeq: number;
  count: number;
  at: number;
}

/**
 * Which source may send us RTP, and where we send ours.
 *
 * A peer that sends from the address and port it declared (a symmetric phone) is learned at its
 * first packet. Any other source on the declared host (ffmpeg sends from another port than it
 * receives on), or with `latching` on any source we may send to (NAT), is on probation until
 * PROBATION_PACKETS in-sequence RTP packets of one SSRC prove it a stream, not a stray datagram.
 * RTCP never teaches a source: it comes from the RTCP port, and ffmpeg with rtcp-mux sends its
 * first sender report from there before its first RTP packet. A learned source that has been
 * silent for 2 s may be replaced the same way (a restarted sender); with latching, the stream
 * itself (same SSRC) may move at once (a NAT rebinding). Sources are
 * compared as numbers (IPv4, host order): a packet from the learned source costs no string.
 */
export class SourceFilter {
  #declared: Endpoint;
  #declaredIp: number;
  readonly #latching: boolean;
  readonly #permits: (ip: number, port: number) => boolean;
  #learned: Endpoint | null = null;
  #learnedIp = NO_IP;
  #lastAcceptedAt = 0;
  readonly #candidates: Candidate[] = Array.from({ length: CANDIDATES }, () => ({ ip: NO_IP, port: 0, ssrc: 0, nextSeq: 0, count: 0, at: 0 }));

  constructor(o: SourceFilterOptions) {
    this.#declared = o.declared;
    this.#declaredIp = ipv4ToInt(o.declared.address) ?? NO_IP;
    this.#latching = o.latching;
    this.#permits = o.permits ?? (() => true);
  }

  /** Where an RTP datagram from ip:port stands, before it is parsed. */
  classify(ip: number, port: number, nowMs: number): SourceVerdict {
    const l = this.#learned;
    if (l !== null && this.#learnedIp === ip && l.port === port) {
      this.#lastAcceptedAt = nowMs;
      return SOURCE_LEARNED;
    }
    if (l !== null && nowMs - this.#lastAcceptedAt <= RELEARN_AFTER_MS) {
      // A live source is replaced only by its own stream moved (latching: a NAT rebinding); see learn().
      return this.#latching && this.#permits(ip, port) ? SOURCE_MOVED : SOURCE_FOREIGN;
    }
    if (ip === this.#declaredIp && port === this.#declared.port) {
      this.#adopt(ip, port, nowMs);
      return SOURCE_LEARNED;
    }
    if (ip === this.#declaredIp || (this.#latching && this.#permits(ip, port))) return SOURCE_CANDIDATE;
    return SOURCE_FOREIGN;
  }

  /**
   * A valid RTP packet from a candidate; true once it has proven the source (take the packet).
   * While the learned source is alive (latching), only the stream we are receiving, by its SSRC
   * (`liveSsrc`), may move: a NAT rebinding keeps the SSRC, and an off-path sender cannot know it.
   */
  learn(ip: number, port: number, seq: number, ssrc: number, nowMs: number, liveSsrc = -1): boolean {
    if (this.#learned !== null && nowMs - this.#lastAcceptedAt <= RELEARN_AFTER_MS && ssrc !== liveSsrc) return false;
    let c: Candidate | undefined;
    let spare = this.#candidates[0];
    for (const x of this.#candidates) {
      if (x.count > 0 && x.ip === ip && x.port === port) c = x;
      // An empty slot, else the one heard from longest ago.
      if (spare.count > 0 && (x.count === 0 || x.at < spare.at)) spare = x;
    }
    if (c === undefined || c.ssrc !== ssrc || c.nextSeq !== seq) {
      c ??= spare;
      c.ip = ip;
      c.port = port;
      c.ssrc = ssrc;
      c.count = 0;
    }
    c.count++;
    c.nextSeq = (seq + 1) & 0xffff;
    c.at = nowMs;
    if (c.count < PROBATION_PACKETS) return false;
    this.#adopt(ip, port, nowMs);
    return true;
  }

  /**
   * The declared host or the learned source's host, on any port: RTCP is taken from it, and a
   * packet from it shows that the peer is there (consent).
   */
  isPeerHost(ip: number): boolean {
    return ip === this.#declaredIp || ip === this.#learnedIp;
  }

  /** Where RTP goes: the learned source when latching, else the declared address. */
  get destination(): Endpoint {
    return this.#latching && this.#learned !== null ? this.#learned : this.#declared;
  }

  get latched(): Endpoint | null {
    return this.#learned;
  }

  /** A re-offer moved the remote end. */
  redeclare(declared: Endpoint): void {
    this.#declared = declared;
    this.#declaredIp = ipv4ToInt(declared.address) ?? NO_IP;
    if (this.#learned !== null && this.#learnedIp !== this.#declaredIp && !this.#latching) {
      this.#learned = null;
      this.#learnedIp = NO_IP;
    }
    this.#forgetCandidates();
  }

  #adopt(ip: number, port: number, nowMs: number): void {
    if (this.#learnedIp !== ip || this.#learned?.port !== port) this.#learned = { address: intToIpv4(ip), port };
    this.#learnedIp = ip;
    this.#lastAcceptedAt = nowMs;
    this.#forgetCandidates();
  }

  #forgetCandidates(): void {
    for (const c of this.#candidates) {
      c.ip = NO_IP;
      c.count = 0;
      c.at = 0;
    }
  }
}
