import type { OutboundStats } from '../media/OutboundStream.js';
import { ReceptionStats, roundTripMs } from '../rtp/ReceptionStats.js';
import {
  middle32,
  ntpFromUnixMs,
  parseRtcp,
  writeBye,
  writeReceiverReport,
  writeSdesCname,
  writeSenderReport,
  type ReportBlock,
} from '../rtp/rtcp.js';

export interface RtcpSessionOptions {
  localSsrc: number;
  cname: string;
  intervalMs: number;
  rtpClockRate: number;
  outbound: OutboundStats;
  send: (packet: Uint8Array) => void;
}

/** What the peer's reports say about our stream, and what we measured of theirs. */
export interface RtcpStats {
  reportsSent: number;
  reportsReceived: number;
  /** Our stream as the peer sees it. */
  remoteFractionLost: number;
  remoteCumulativeLost: number;
  remoteJitterMs: number;
  rttMs: number | null;
  /** Their stream as we see it (RFC 3550 A.1/A.8). */
  received: number;
  lost: number;
  jitterMs: number;
}

/**
 * RTCP for one participant: a compound SR (or RR before we have sent) with SDES CNAME every
 * interval, randomised to 0.5-1.5x as RFC 3550 §6.2 asks, and the peer's SR/RR read into stats.
 */
export class RtcpSession {
  readonly #o: RtcpSessionOptions;
  readonly #reception: ReceptionStats;
  readonly #buffer = Buffer.alloc(512);
  #timer: NodeJS.Timeout | null = null;
  #remoteSsrc = -1;
  #reportsSent = 0;
  #reportsReceived = 0;
  #remote: Pick<RtcpStats, 'remoteFractionLost' | 'remoteCumulativeLost' | 'remoteJitterMs' | 'rttMs'> = {
    remoteFractionLost: 0,
    remoteCumulativeLost: 0,
    remoteJitterMs: 0,
    rttMs: null,
  };

  constructor(o: RtcpSessionOptions) {
    this.#o = o;
    this.#reception = new ReceptionStats(o.rtpClockRate);
  }

  start(): void {
    const next = () => {
      this.#timer = setTimeout(() => {
        this.#sendReport();
        next();
      }, this.#o.intervalMs * (0.5 + Math.random()));
      this.#timer.unref();
    };
    next();
  }

  stop(sendBye: boolean): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (sendBye) {
      const n = this.#writeReport(this.#buffer);
      const len = n + writeBye(this.#buffer, n, this.#o.localSsrc);
      this.#o.send(this.#buffer.subarray(0, len));
    }
  }

  /** Feeds one accepted RTP packet of the peer's stream. */
  onRtp(seq: number, timestamp: number, arrivalMs: number, ssrc: number): void {
    this.#remoteSsrc = ssrc;
    this.#reception.update(seq, timestamp, arrivalMs);
  }

  resetReception(): void {
    this.#reception.reset();
  }

  /** Reads a (decrypted) compound RTCP packet from the peer. */
  onRtcp(data: Uint8Array, nowMs: number): 'ok' | 'bye' | 'malformed' {
    const packets = parseRtcp(data, data.length);
    if (typeof packets === 'string') return 'malformed';
    this.#reportsReceived++;
    let bye = false;
    for (const p of packets) {
      if (p.type === 'sr') this.#reception.onSenderReport(middle32(p.ntpSec, p.ntpFrac), nowMs);
      if (p.type === 'sr' || p.type === 'rr') for (const block of p.reports) this.#onReportBlock(block, nowMs);
      if (p.type === 'bye' && p.ssrcs.includes(this.#remoteSsrc >>> 0)) bye = true;
    }
    return bye ? 'bye' : 'ok';
  }

  stats(): RtcpStats {
    return {
      reportsSent: this.#reportsSent,
      reportsReceived: this.#reportsReceived,
      ...this.#remote,
      received: this.#reception.packets,
      lost: Math.max(0, this.#reception.lost),
      jitterMs: this.#reception.jitterMs,
    };
  }

  #onReportBlock(block: ReportBlock, nowMs: number): void {
    if (block.ssrc !== this.#o.localSsrc >>> 0) return;
    const rtt = roundTripMs(block, nowMs);
    this.#remote = {
      remoteFractionLost: block.fractionLost / 256,
      remoteCumulativeLost: block.cumulativeLost,
      remoteJitterMs: (block.jitter * 1000) / this.#o.rtpClockRate,
      rttMs: rtt < 0 ? this.#remote.rttMs : rtt,
    };
  }

  #sendReport(): void {
    const len = this.#writeReport(this.#buffer);
    this.#o.send(this.#buffer.subarray(0, len));
    this.#reportsSent++;
  }

  /** SR if we have sent media, else RR, then SDES CNAME. */
  #writeReport(buf: Buffer): number {
    const now = Date.now();
    const block = this.#remoteSsrc === -1 ? null : this.#reception.buildReportBlock(this.#remoteSsrc, now);
    const reports = block === null ? [] : [block];
    const out = this.#o.outbound;
    let n: number;
    if (out.packets > 0) {
      const ntp = ntpFromUnixMs(now);
      const elapsed = ((now - out.lastSentAt) * this.#o.rtpClockRate) / 1000;
      n = writeSenderReport(buf, 0, {
        ssrc: this.#o.localSsrc,
        ntpSec: ntp.sec,
        ntpFrac: ntp.frac,
        rtpTimestamp: (out.lastTimestamp + Math.round(elapsed)) >>> 0,
        packetCount: out.packets,
        octetCount: out.bytes,
        reports,
      });
    } else {
      n = writeReceiverReport(buf, 0, { ssrc: this.#o.localSsrc, reports });
    }
    return n + writeSdesCname(buf, n, this.#o.localSsrc, this.#o.cname);
  }
}
