import type { RemoteInfo, Socket } from 'node:dgram';
import { codecFor, type OpusEncoderSettings } from '../codecs/codecFor.js';
import type { FrameFormat } from '../mixing/FrameFormat.js';
import type { OutputMode } from '../mixing/flags.js';
import { InboundStream } from '../media/InboundStream.js';
import { joinPacket, OutboundStream } from '../media/OutboundStream.js';
import type { UdpBatch } from './UdpBatch.js';
import type { UdpReceiver } from './UdpReceiver.js';
import { ipv4ToInt } from './ipv4.js';
import { socketFd } from './socketHandle.js';
import type { PcmPort } from '../ports/PcmPort.js';
import { DtmfReceiver } from '../rtp/dtmf.js';
import { readAudioLevel } from '../rtp/headerExtensions.js';
import { isRtcpPacket, newRtpPacket, parseRtp } from '../rtp/RtpPacket.js';
import type { NegotiatedMedia } from '../sdp/NegotiatedMedia.js';
import { SrtpContext, type SrtpError } from '../srtp/SrtpContext.js';
import type { Logger } from '../util/logger.js';
import { sharedEncodingRef, type SharedEncodings } from '../media/SharedEncodings.js';
import { DropCounter, type DropReason } from './DropCounter.js';
import type { BoundPorts } from './PortPool.js';
import { RtcpSession } from './RtcpSession.js';
import type { TransportStats } from './TransportStats.js';
import { SOURCE_FOREIGN, SOURCE_LEARNED, SOURCE_MOVED, SourceFilter } from './SourceFilter.js';

export interface RtpTransportOptions {
  media: NegotiatedMedia;
  format: FrameFormat;
  ports: BoundPorts;
  localSsrc: number;
  cname: string;
  /** Re-latch to the observed source (NAT'd phones). */
  latching: boolean;
  mediaTimeoutMs: number;
  /** The media timeout while the peer holds us (its SDP says sendonly or inactive). */
  holdTimeoutMs: number;
  /** Media goes only to a peer heard from within this long. */
  consentMs: number;
  /** Before the peer's first packet, media goes out for this long at most. */
  consentEarlyMs: number;
  /** With latching, whether a learned source may be sent to (DestinationPolicy.permits). */
  permits?: (ip: number, port: number) => boolean;
  rtcpIntervalMs: number;
  opus: OpusEncoderSettings;
  log: Logger;
  context: Record<string, unknown>;
  /** The conference's shared-mix encoders. */
  shared?: SharedEncodings;
  /** The media thread's batch of tick packets; without it each packet goes through dgram. */
  batch?: UdpBatch;
  /** The media thread's tick-time socket reader; without it dgram delivers each datagram. */
  receiver?: UdpReceiver;
}

export type { TransportStats as RtpTransportStats } from './TransportStats.js';

/** Largest datagram accepted; audio packets are far smaller. */
const MAX_DATAGRAM = 1500;
const COMFORT_NOISE_PT = 13;
/** A new SSRC replaces the current one only after the current one has been silent this long. */
const SSRC_SWITCH_MS = 1000;
/** A DTMF event with no end packet is reported once telephone-events stop for this long. */
const DTMF_FLUSH_MS = 200;

/**
 * A participant over plain RTP or SDES-SRTP: one UDP socket (two without rtcp-mux), sending to
 * the address the SDP declared. Every datagram is validated in order (size, RTCP demux, source,
 * SRTP, header, payload type, SSRC, source learning) and each failure is a counted,
 * rate-limited-logged drop.
 *
 * Consent: media and RTCP go out only while the peer has shown itself, by an RTP or RTCP packet
 * from its declared host (or the learned source) within consentMs, and for consentEarlyMs before
 * its first packet. An SDP naming a host that never sends (a reflection target) gets a moment
 * of early media, then nothing; frames skipped for want of consent are counted, not encoded.
 */
export class RtpTransport implements PcmPort {
  onEnded?: PcmPort['onEnded'];
  onDtmf?: PcmPort['onDtmf'];
  readonly #o: RtpTransportOptions;
  #media: NegotiatedMedia;
  readonly #sockets: Socket[];
  readonly #drops: DropCounter;
  readonly #packet = newRtpPacket();
  readonly #source: SourceFilter;
  readonly #inbound: InboundStream;
  readonly #outbound: OutboundStream;
  readonly #rtcp: RtcpSession;
  readonly #dtmf = new DtmfReceiver();
  readonly #srtpIn: SrtpContext | null;
  readonly #srtpOut: SrtpContext | null;
  readonly #timeout: NodeJS.Timeout;
  #ssrc = -1;
  #lastPacketAt = Date.now();
  #lastRemoteAt = Date.now();
  /** Media may go out now; set by a consenting packet, cleared by #checkConsent. */
  #consented: boolean;
  #consentAt = -Infinity;
  #earlyUntil: number;
  #withheldFrames = 0;
  #earlyTimer: NodeJS.Timeout | null = null;
  #packetsIn = 0;
  #bytesIn = 0;
  #ssrcChanges = 0;
  #audioLevel: number | null = null;
  #lastDtmfAt = 0;
  #closed = false;
  /** The RTP socket's descriptor for the batch (-1: send through dgram). */
  readonly #fd: number;
  /** The destination the batch address was computed for, to redo it only when it changes. */
  #batchTo: unknown = null;
  #batchAddress: number | null = null;
  /** The sockets' places in the receiver, to leave it before they close. */
  readonly #receiverSlots: number[] = [];

  constructor(o: RtpTransportOptions) {
    this.#o = o;
    this.#media = o.media;
    this.#drops = new DropCounter(o.log, o.context);
    this.#source = new SourceFilter({ declared: { address: o.media.remote.address, port: o.media.remote.rtpPort }, latching: o.latching, permits: o.permits });
    this.#earlyUntil = Date.now() + o.consentEarlyMs;
    this.#consented = o.consentEarlyMs > 0;
    const { decoder, encoder, encoderKey, makeEncoder } = codecFor(o.media.codec, o.opus);
    this.#inbound = new InboundStream(decoder, o.format.rate, o.format.samples);
    this.#outbound = new OutboundStream({
      encoder,
      rate: o.format.rate,
      frameSamples: o.format.samples,
      ptimeMs: o.media.ptimeMs,
      payloadType: o.media.codec.payloadType,
      ssrc: o.localSsrc,
      send: (header, payload) => this.#sendRtp(header, payload),
      shared: o.shared && sharedEncodingRef(o.shared, encoderKey, o.media.ptimeMs, makeEncoder),
    });
    this.#srtpIn = o.media.srtp ? new SrtpContext(o.media.srtp.remote) : null;
    this.#srtpOut = o.media.srtp ? new SrtpContext(o.media.srtp.local) : null;
    this.#rtcp = new RtcpSession({
      localSsrc: o.localSsrc,
      cname: o.cname,
      intervalMs: o.rtcpIntervalMs,
      rtpClockRate: encoder.rtpClockRate,
      outbound: this.#outbound.stats,
      send: (packet) => this.#sendRtcp(packet),
    });
    this.#sockets = [o.ports.rtp, ...(o.ports.rtcp ? [o.ports.rtcp] : [])];
    this.#fd = o.batch === undefined ? -1 : socketFd(o.ports.rtp);
    this.#listen(o.ports.rtp, false);
    if (o.ports.rtcp) this.#listen(o.ports.rtcp, true);
    for (const s of this.#sockets) s.on('error', (err) => o.log.warn({ ...o.context, err: err.message }, 'socket error'));
    this.#timeout = setInterval(() => this.#checkTimeout(), Math.min(1000, o.mediaTimeoutMs / 2, o.consentMs / 2));
    this.#timeout.unref();
    this.#startEarlyWindow();
    this.#rtcp.start();
  }

  get media(): NegotiatedMedia {
    return this.#media;
  }

  stats(): TransportStats {
    const latched = this.#source.latched;
    return {
      kind: 'rtp',
      codec: `${this.#media.codec.name}/${this.#media.codec.clockRate}`,
      packetsIn: this.#packetsIn,
      bytesIn: this.#bytesIn,
      drops: { ...this.#drops.counts },
      inbound: { ...this.#inbound.stats },
      outbound: { ...this.#outbound.stats },
      rtcp: this.#rtcp.stats(),
      audioLevel: this.#audioLevel,
      ssrcChanges: this.#ssrcChanges,
      latched: latched ? `${latched.address}:${latched.port}` : null,
      consent: this.#consented,
      withheldFrames: this.#withheldFrames,
    };
  }

  readFrame(dst: Int16Array, gate?: number): boolean {
    if (!receives(this.#media)) return false;
    return this.#inbound.readFrame(dst, gate);
  }

  opusPacket(): Uint8Array | null {
    return this.#inbound.opusPacket;
  }

  writeFrame(frame: Int16Array, mode: OutputMode, frameIndex: number, opus: Uint8Array | null = null): void {
    if (!sends(this.#media)) return;
    // Skipped frames are a sender pause to the stream: its timestamps jump when consent returns.
    if (this.#consented) this.#outbound.writeFrame(frame, mode, frameIndex, opus);
    else this.#withheldFrames++;
  }

  /** Applies a re-offer's result (direction, remote address). The codec stays. */
  update(media: NegotiatedMedia): void {
    const moved = media.remote.address !== this.#media.remote.address;
    this.#media = media;
    this.#source.redeclare({ address: media.remote.address, port: media.remote.rtpPort });
    if (moved) {
      // A new host has not asked for anything yet: it gets the early window, as at the start.
      this.#consentAt = -Infinity;
      this.#earlyUntil = Date.now() + this.#o.consentEarlyMs;
      this.#consented = this.#o.consentEarlyMs > 0;
      this.#startEarlyWindow();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timeout);
    if (this.#earlyTimer !== null) clearTimeout(this.#earlyTimer);
    this.#rtcp.stop(true);
    for (const slot of this.#receiverSlots) this.#o.receiver!.remove(slot);
    for (const s of this.#sockets) s.close();
  }

  /** Reads a socket through the media thread's receiver, or through dgram where it cannot. */
  #listen(socket: Socket, rtcpSocket: boolean): void {
    const slot = this.#o.receiver?.add(socket, rtcpSocket ? this.#onRtcpDatagram : this.#onRtpDatagram) ?? null;
    if (slot !== null) this.#receiverSlots.push(slot);
    else socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.#onDatagram(msg, msg.length, ipv4ToInt(rinfo.address) ?? 0, rinfo.port, Date.now(), rtcpSocket));
  }

  readonly #onRtpDatagram = (buf: Uint8Array, length: number, ip: number, port: number, arrivalMs: number): void =>
    this.#onDatagram(buf, length, ip, port, arrivalMs, false);

  readonly #onRtcpDatagram = (buf: Uint8Array, length: number, ip: number, port: number, arrivalMs: number): void =>
    this.#onDatagram(buf, length, ip, port, arrivalMs, true);

  /** buf[0, length) from ip:port; buf may be a reused view, so nothing keeps it past this call. */
  #onDatagram(buf: Uint8Array, length: number, from: number, fromPort: number, now: number, rtcpSocket: boolean): void {
    if (this.#closed) return;
    if (length > MAX_DATAGRAM) return this.#drops.drop('oversized', from);
    // RTCP before any source check: it comes from the peer's RTCP port and never teaches the RTP source.
    if (rtcpSocket || isRtcpPacket(buf, length)) {
      if (!this.#source.isPeerHost(from)) return this.#drops.drop('foreign-source', from);
      return this.#onRtcp(buf.subarray(0, length), now);
    }
    const verdict = this.#source.classify(from, fromPort, now);
    if (verdict === SOURCE_FOREIGN) return this.#drops.drop('foreign-source', from);
    // Only the live stream may move: its SSRC, in the clear even under SRTP, is checked before any decryption.
    if (verdict === SOURCE_MOVED && (length < 12 || readSsrc(buf) !== this.#ssrc)) return this.#drops.drop('foreign-source', from);
    let data = buf;
    let dataLength = length;
    if (this.#srtpIn !== null) {
      const plain = this.#srtpIn.unprotectRtp(buf, length);
      if (typeof plain === 'string') return this.#drops.drop(SRTP_DROP[plain], from);
      data = plain;
      dataLength = plain.length;
    }
    const p = this.#packet;
    const error = parseRtp(data, dataLength, p);
    if (error !== null) return this.#drops.drop(error, from);
    const media = this.#media;
    const isAudio = p.payloadType === media.codec.payloadType;
    const isDtmf = p.payloadType === media.telephoneEvent?.payloadType;
    if (!isAudio && !isDtmf && p.payloadType !== COMFORT_NOISE_PT) return this.#drops.drop('unknown-payload-type', from);
    if (media.remote.ssrc !== undefined && p.ssrc !== media.remote.ssrc) return this.#drops.drop('wrong-ssrc', from);
    if (this.#source.isPeerHost(from)) this.#consent(now);
    if (verdict !== SOURCE_LEARNED && !this.#source.learn(from, fromPort, p.sequenceNumber, p.ssrc, now, this.#ssrc)) {
      return this.#drops.drop('source-learning', from);
    }
    if (!this.#acceptSsrc(p.ssrc, now)) return this.#drops.drop('wrong-ssrc', from);
    this.#packetsIn++;
    this.#bytesIn += length;
    this.#lastPacketAt = now;
    this.#rtcp.onRtp(p.sequenceNumber, p.timestamp, now, p.ssrc);
    let level = -1;
    if (media.audioLevelExtId !== undefined && p.extensionLength > 0) {
      const raw = readAudioLevel(data, p, media.audioLevelExtId);
      if (raw >= 0) this.#audioLevel = level = raw & 0x7f;
    }
    if (!isAudio) {
      // DTMF and comfort noise take audio sequence numbers: hold their places so they are not loss.
      this.#inbound.pushPlaceholder(p.sequenceNumber, p.timestamp);
      if (isDtmf) {
        this.#lastDtmfAt = now;
        const digit = this.#dtmf.feed(p.timestamp, data, p.payloadOffset, p.payloadLength, media.telephoneEvent!.clockRate);
        if (digit !== null) this.onDtmf?.(digit.digit, digit.durationMs);
      }
      return;
    }
    this.#flushDtmf(now);
    const r = this.#inbound.push(p.sequenceNumber, p.timestamp, data, p.payloadOffset, p.payloadLength, p.marker, now, level);
    if (r !== 'ok') this.#drops.drop(r, from);
  }

  /** Latches the first SSRC; a different one replaces it only once the current one went quiet. */
  #acceptSsrc(ssrc: number, now: number): boolean {
    if (this.#ssrc === ssrc) return true;
    if (this.#ssrc !== -1 && now - this.#lastPacketAt < SSRC_SWITCH_MS) return false;
    if (this.#ssrc !== -1) {
      this.#ssrcChanges++;
      this.#inbound.reset();
      this.#rtcp.resetReception();
    }
    this.#ssrc = ssrc;
    return true;
  }

  #onRtcp(msg: Uint8Array, now: number): void {
    let data: Uint8Array = msg;
    if (this.#srtpIn !== null) {
      const plain = this.#srtpIn.unprotectRtcp(msg);
      if (typeof plain === 'string') return this.#drops.drop(SRTP_DROP[plain]);
      data = plain;
    }
    const result = this.#rtcp.onRtcp(data, now);
    if (result === 'bye') this.onEnded?.('port-closed');
    else if (result !== 'ok') return this.#drops.drop('rtcp-malformed');
    this.#lastRemoteAt = now;
    // A receive-only phone shows itself by its receiver reports alone (RTCP comes only from the peer's host).
    this.#consent(now);
  }

  #consent(now: number): void {
    this.#consentAt = now;
    this.#consented = true;
  }

  /** Clears consent once the early window and the consent period have both passed. */
  #checkConsent(now: number): void {
    if (this.#consented && now >= this.#earlyUntil && now - this.#consentAt >= this.#o.consentMs) this.#consented = false;
  }

  #startEarlyWindow(): void {
    if (this.#earlyTimer !== null) clearTimeout(this.#earlyTimer);
    this.#earlyTimer = setTimeout(() => {
      // The timer ends the window (a timer may fire a millisecond before Date.now() reaches it).
      this.#earlyTimer = null;
      this.#earlyUntil = 0;
      this.#checkConsent(Date.now());
    }, this.#o.consentEarlyMs);
    this.#earlyTimer.unref();
  }

  #sendRtp(header: Uint8Array, payload: Uint8Array): void {
    if (this.#closed || !this.#consented || this.#media.remote.address === '0.0.0.0') return;
    const to = this.#source.destination;
    if (this.#o.batch !== undefined && this.#srtpOut === null && this.#fd >= 0) {
      if (to !== this.#batchTo) {
        this.#batchTo = to;
        this.#batchAddress = ipv4ToInt(to.address);
      }
      if (this.#batchAddress !== null) return this.#o.batch.add(this.#fd, this.#batchAddress, to.port, header, payload);
    }
    const packet = joinPacket(header, payload);
    const out = this.#srtpOut !== null ? this.#srtpOut.protectRtp(packet) : packet;
    this.#o.ports.rtp.send(out, to.port, to.address);
  }

  #sendRtcp(packet: Uint8Array): void {
    if (this.#closed || !this.#consented || this.#media.remote.address === '0.0.0.0') return;
    const out = this.#srtpOut !== null ? this.#srtpOut.protectRtcp(packet) : packet;
    const socket = this.#media.rtcpMux ? this.#o.ports.rtp : (this.#o.ports.rtcp ?? this.#o.ports.rtp);
    const port = this.#media.rtcpMux ? this.#source.destination.port : this.#media.remote.rtcpPort;
    socket.send(out, port, this.#source.destination.address);
  }

  /** Reports a DTMF event whose end packets were all lost, once telephone-events have stopped. */
  #flushDtmf(now: number): void {
    if (this.#lastDtmfAt === 0 || now - this.#lastDtmfAt < DTMF_FLUSH_MS) return;
    this.#lastDtmfAt = 0;
    const digit = this.#dtmf.flush();
    if (digit !== null) this.onDtmf?.(digit.digit, digit.durationMs);
  }

  /** Every stream times out, whatever its direction: a peer that never sends holds a port for nothing. */
  #checkTimeout(): void {
    if (this.#closed) return;
    const now = Date.now();
    this.#flushDtmf(now);
    this.#checkConsent(now);
    const limit = holdsUs(this.#media) ? this.#o.holdTimeoutMs : this.#o.mediaTimeoutMs;
    if (now - Math.max(this.#lastPacketAt, this.#lastRemoteAt) >= limit) this.onEnded?.('media-timeout');
  }
}

const SRTP_DROP: Record<SrtpError, DropReason> = {
  truncated: 'srtp-truncated',
  auth: 'srtp-auth',
  replay: 'srtp-replay',
  'too-old': 'srtp-too-old',
  'bad-rtcp': 'rtcp-malformed',
};

/** The SSRC of an RTP header (bytes 8-11), unsigned. */
const readSsrc = (b: Uint8Array) => ((b[8] << 24) | (b[9] << 16) | (b[10] << 8) | b[11]) >>> 0;

/** The peer holds us: it sends without listening (sendonly), or neither (inactive, c=0.0.0.0). */
const holdsUs = (m: NegotiatedMedia) => m.direction === 'recvonly' || m.direction === 'inactive';
const receives = (m: NegotiatedMedia) => m.direction === 'sendrecv' || m.direction === 'recvonly';
const sends = (m: NegotiatedMedia) => m.direction === 'sendrecv' || m.direction === 'sendonly';
