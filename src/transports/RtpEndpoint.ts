import { randomInt } from 'node:crypto';
import { InvalidStateError } from '../errors.js';
import type { FrameFormat } from '../mixing/FrameFormat.js';
import type { OutputMode } from '../mixing/flags.js';
import type { PcmPort } from '../ports/PcmPort.js';
import { answerOffer } from '../sdp/answer.js';
import type { LocalMediaConfig, NegotiatedMedia } from '../sdp/NegotiatedMedia.js';
import { completeOffer, createOffer, type PendingOffer } from '../sdp/offer.js';
import { answerReoffer } from '../sdp/reoffer.js';
import type { SrtpSuite } from '../srtp/SrtpSuite.js';
import type { OpusEncoderSettings } from '../codecs/codecFor.js';
import type { Logger } from '../util/logger.js';
import type { UdpBatch } from './UdpBatch.js';
import type { UdpReceiver } from './UdpReceiver.js';
import type { SharedEncodings } from '../media/SharedEncodings.js';
import { addTransport, type TransportTotals } from './TransportTotals.js';
import type { BoundPorts, PortPool } from './PortPool.js';
import { RtpTransport, type RtpTransportStats } from './RtpTransport.js';
import type { DestinationPolicy } from './DestinationPolicy.js';
import { sdpError } from '../sdp/sdpSyntax.js';

export interface RtpEndpointConfig {
  pool: PortPool;
  /** The address written in our SDP. */
  advertisedAddress: string;
  format: FrameFormat;
  opus: OpusEncoderSettings;
  latching: boolean;
  mediaTimeoutMs: number;
  holdTimeoutMs: number;
  consentMs: number;
  consentEarlyMs: number;
  /** Which remote addresses media may go to. */
  policy: DestinationPolicy;
  /** Whose share of the port pool this participant's ports count against (an account). */
  tenant?: string;
  rtcpIntervalMs: number;
  log: Logger;
  context: Record<string, unknown>;
  /** Counters of departed participants: a closing transport adds its own. */
  totals?: TransportTotals;
  /** The conference's shared-mix encoders. */
  shared?: SharedEncodings;
  /** The media thread's batch of tick packets. */
  batch?: UdpBatch;
  /** The media thread's tick-time socket reader. */
  receiver?: UdpReceiver;
}

/**
 * A participant's RTP side through its SDP life: answered at once (an offer came in), or
 * offering and waiting for the answer (dial-out), then re-offered (hold, a moved remote). It
 * owns the participant's ports and returns them to the pool when closed.
 */
export class RtpEndpoint implements PcmPort {
  onEnded?: PcmPort['onEnded'];
  onDtmf?: PcmPort['onDtmf'];
  /** Our latest SDP: the answer, or the offer awaiting an answer. */
  localSdp = '';
  readonly #c: RtpEndpointConfig;
  readonly #ports: BoundPorts;
  readonly #local: LocalMediaConfig;
  #pending: PendingOffer | null = null;
  #transport: RtpTransport | null = null;
  #closed = false;

  private constructor(c: RtpEndpointConfig, ports: BoundPorts) {
    this.#c = c;
    this.#ports = ports;
    this.#local = {
      address: c.advertisedAddress,
      rtpPort: ports.rtpPort,
      ssrc: randomInt(1, 0xffffffff),
      sessionId: randomInt(1, 2 ** 47),
      sessionVersion: 0,
    };
  }

  /** Answers a remote offer. Bad offers throw InvalidArgumentError('sdp', reason); the ports go back. */
  static async answer(c: RtpEndpointConfig, offerSdp: string): Promise<RtpEndpoint> {
    const ports = await c.pool.allocate(true, c.tenant);
    const endpoint = new RtpEndpoint(c, ports);
    try {
      const { media, answerSdp } = answerOffer(offerSdp, endpoint.#local);
      checkDestination(c.policy, media, false);
      endpoint.localSdp = answerSdp;
      endpoint.#start(media);
      return endpoint;
    } catch (err) {
      endpoint.close();
      throw err;
    }
  }

  /** Makes our own offer (dial-out); media flows once complete() gets the answer. */
  static async offer(c: RtpEndpointConfig, srtp: SrtpSuite | false): Promise<RtpEndpoint> {
    const ports = await c.pool.allocate(true, c.tenant);
    const endpoint = new RtpEndpoint(c, ports);
    const { offerSdp, pending } = createOffer({ ...endpoint.#local, srtp });
    endpoint.localSdp = offerSdp;
    endpoint.#pending = pending;
    return endpoint;
  }

  get media(): NegotiatedMedia | null {
    return this.#transport?.media ?? null;
  }

  complete(answerSdp: string): NegotiatedMedia {
    if (this.#pending === null) throw new InvalidStateError('there is no offer awaiting an answer');
    const media = completeOffer(this.#pending, answerSdp);
    checkDestination(this.#c.policy, media, false);
    this.#pending = null;
    this.#start(media);
    return media;
  }

  /** Answers a re-offer on the running session (hold, unhold, a moved remote). */
  reoffer(offerSdp: string): { answerSdp: string; media: NegotiatedMedia } {
    const transport = this.#transport;
    if (transport === null) throw new InvalidStateError('the session is not established yet');
    this.#local.sessionVersion = (this.#local.sessionVersion ?? 0) + 1;
    const { media, answerSdp } = answerReoffer(transport.media, offerSdp, this.#local);
    checkDestination(this.#c.policy, media, true);
    transport.update(media);
    this.localSdp = answerSdp;
    return { answerSdp, media };
  }

  stats(): RtpTransportStats | null {
    return this.#transport?.stats() ?? null;
  }

  readFrame(dst: Int16Array, gate?: number): boolean {
    return this.#transport !== null && this.#transport.readFrame(dst, gate);
  }

  opusPacket(): Uint8Array | null {
    return this.#transport?.opusPacket() ?? null;
  }

  writeFrame(frame: Int16Array, mode: OutputMode, frameIndex: number, opus: Uint8Array | null = null): void {
    this.#transport?.writeFrame(frame, mode, frameIndex, opus);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#transport !== null && this.#c.totals) addTransport(this.#c.totals, this.#transport.stats());
    if (this.#transport !== null) this.#transport.close();
    else for (const s of [this.#ports.rtp, this.#ports.rtcp]) s?.close();
    this.#c.pool.release(this.#ports.rtpPort);
  }

  #start(media: NegotiatedMedia): void {
    if (media.rtcpMux && this.#ports.rtcp) {
      // RTCP shares the RTP port: the odd port is not needed.
      this.#ports.rtcp.close();
      delete this.#ports.rtcp;
    }
    const c = this.#c;
    this.#transport = new RtpTransport({
      media,
      format: c.format,
      ports: this.#ports,
      localSsrc: this.#local.ssrc,
      cname: `roomtone-${this.#local.sessionId}`,
      latching: c.latching,
      permits: (ip, port) => c.policy.permits(ip, port),
      mediaTimeoutMs: c.mediaTimeoutMs,
      holdTimeoutMs: c.holdTimeoutMs,
      consentMs: c.consentMs,
      consentEarlyMs: c.consentEarlyMs,
      rtcpIntervalMs: c.rtcpIntervalMs,
      opus: c.opus,
      log: c.log,
      context: c.context,
      shared: c.shared,
      batch: c.batch,
      receiver: c.receiver,
    });
    this.#transport.onEnded = (reason) => this.onEnded?.(reason);
    this.#transport.onDtmf = (digit, ms) => this.onDtmf?.(digit, ms);
  }
}

/**
 * Refuses an SDP whose media would go where the policy forbids (InvalidArgumentError on `sdp`).
 * c=0.0.0.0 is RFC 2543 hold, which sends nothing: a re-offer may say it, a first offer may not.
 */
function checkDestination(policy: DestinationPolicy, media: NegotiatedMedia, reoffer: boolean): void {
  const { address, rtpPort, rtcpPort } = media.remote;
  if (reoffer && address === '0.0.0.0') return;
  const reason = policy.refusal(address, rtpPort) ?? (media.rtcpMux ? null : policy.refusal(address, rtcpPort));
  if (reason !== null) throw sdpError(reason);
}
