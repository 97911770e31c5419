// A scriptable RTP endpoint on 127.0.0.1 for transport tests: it offers itself by SDP, sends a
// PCM signal as paced 20 ms packets through a seeded, impaired "network" (loss, jitter,
// reordering, duplicates, very late delivery), records every packet roomtone sends it with its
// arrival time, and decodes what it heard back to 48 kHz PCM in sequence order.
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { decodeUlaw, encodeUlaw } from '../../src/codecs/g711.js';
import { OpusDecoder } from '../../src/codecs/OpusDecoder.js';
import { OpusEncoder, type OpusEncoderSettings } from '../../src/codecs/OpusEncoder.js';
import { Resampler } from '../../src/codecs/Resampler.js';
import { isRtcpPacket, newRtpPacket, parseRtp, writeRtpHeader } from '../../src/rtp/RtpPacket.js';
import { writeReceiverReport } from '../../src/rtp/rtcp.js';
import { AUDIO_LEVEL_EXT_ID, audioLevelExtension, audioLevelExtmap, frameAudioLevels } from './audioLevel.js';
import { freePortPair } from './ffmpeg.js';
import { seededRandom } from './random.js';
import type { TestCodec, RtpTestClientOptions, SendOptions, SentPacket, SendReport, ReceivedPacket, DecodedTimeline } from './RtpTestClientTypes.js';
export type { TestCodec, RtpTestClientOptions, Impairments, SendOptions, SentPacket, SendReport, ReceivedPacket, DecodedTimeline } from './RtpTestClientTypes.js';

type ResolvedOptions = Required<Omit<RtpTestClientOptions, 'opus'>> & { opus: Partial<OpusEncoderSettings> };

const PTIME_MS = 20;
const RTCP_INTERVAL_MS = 5000;
const FRAME_48K = 960;
/** Largest gap in sequence numbers that decoded() fills with concealment. */
const MAX_CONCEAL_GAP = 250;

export class RtpTestClient {
  readonly port: number;
  readonly ssrc: number;
  readonly codec: TestCodec;
  readonly received: ReceivedPacket[] = [];
  /** Packets beyond maxRecorded, counted but not kept. */
  unrecorded = 0;
  rtcpReceived = 0;
  readonly #socket: Socket;
  readonly #o: ResolvedOptions;
  readonly #parsed = newRtpPacket();
  #remote: { address: string; port: number; payloadType: number; ssrc?: number } | null = null;
  #seq: number;
  #timestamp: number;
  /** Wall time and RTP timestamp of the first packet ever sent: later runs keep to this clock. */
  #clockBase: { ms: number; timestamp: number } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #rtcpTimer: NodeJS.Timeout | null = null;
  #finishSend: (() => void) | null = null;
  #closed = false;

  private constructor(socket: Socket, port: number, o: ResolvedOptions) {
    this.#socket = socket;
    this.port = port;
    this.#o = o;
    this.codec = o.codec;
    const rnd = seededRandom(o.seed * 7919 + 17);
    this.ssrc = 1 + Math.floor(rnd() * 0xfffffffe);
    this.#seq = Math.floor(rnd() * 0x10000);
    this.#timestamp = Math.floor(rnd() * 0x100000000);
    socket.on('message', (msg) => this.#onMessage(msg));
  }

  static async open(options: RtpTestClientOptions = {}): Promise<RtpTestClient> {
    const o: ResolvedOptions = {
      codec: options.codec ?? 'opus',
      rtcpMux: options.rtcpMux ?? true,
      declareSsrc: options.declareSsrc ?? true,
      seed: options.seed ?? 1,
      opus: options.opus ?? {},
      maxRecorded: options.maxRecorded ?? 60_000,
      audioLevels: options.audioLevels ?? false,
      rtcpReports: options.rtcpReports ?? true,
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePortPair();
      const socket = createSocket('udp4');
      const bound = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(port, '127.0.0.1', () => resolve(true));
      });
      if (bound) {
        socket.removeAllListeners('error');
        socket.on('error', () => {}); // ICMP errors of a closed peer must not crash the test
        return new RtpTestClient(socket, port, o);
      }
      socket.close();
    }
    throw new Error('RtpTestClient: could not bind a UDP port');
  }

  /** Our SDP offer. */
  get offer(): string {
    const pt = this.codec === 'opus' ? 111 : 0;
    return [
      'v=0',
      `o=- ${this.ssrc} 0 IN IP4 127.0.0.1`,
      's=RtpTestClient',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.port} RTP/AVP ${pt}`,
      this.codec === 'opus' ? 'a=rtpmap:111 opus/48000/2' : 'a=rtpmap:0 PCMU/8000',
      ...(this.codec === 'opus' ? ['a=fmtp:111 minptime=10;useinbandfec=0'] : []),
      'a=ptime:20',
      ...(this.#o.rtcpMux ? ['a=rtcp-mux'] : []),
      'a=sendrecv',
      ...(this.#o.audioLevels ? [audioLevelExtmap(AUDIO_LEVEL_EXT_ID)] : []),
      ...(this.#o.declareSsrc ? [`a=ssrc:${this.ssrc} cname:rtp-test-client`] : []),
      '',
    ].join('\r\n');
  }

  /** Reads roomtone's answer: where to send, with which payload type, and its SSRC. */
  connect(answerSdp: string): void {
    const m = /^m=audio (\d+) \S+ (\d+)/m.exec(answerSdp);
    if (m === null || Number(m[1]) === 0) throw new Error(`RtpTestClient: no usable m=audio line in the answer:\n${answerSdp}`);
    const c = /^c=IN IP4 (\S+)/m.exec(answerSdp);
    const ssrc = /^a=ssrc:(\d+)/m.exec(answerSdp);
    this.#remote = {
      address: c?.[1] ?? '127.0.0.1',
      port: Number(m[1]),
      payloadType: Number(m[2]),
      ...(ssrc ? { ssrc: Number(ssrc[1]) } : {}),
    };
    if (this.#o.rtcpReports && this.#rtcpTimer === null) {
      this.#sendReceiverReport();
      this.#rtcpTimer = setInterval(() => this.#sendReceiverReport(), RTCP_INTERVAL_MS);
      this.#rtcpTimer.unref();
    }
  }

  /** An empty receiver report (RFC 3550 §6.4.2) to roomtone's RTCP port: port + 1 unless muxed. */
  #sendReceiverReport(): void {
    if (this.#closed || this.#remote === null) return;
    const rr = new Uint8Array(8);
    const n = writeReceiverReport(rr, 0, { ssrc: this.ssrc, reports: [] });
    this.#socket.send(rr.subarray(0, n), this.#remote.port + (this.#o.rtcpMux ? 0 : 1), this.#remote.address);
  }

  get remote(): { address: string; port: number; payloadType: number; ssrc?: number } {
    if (this.#remote === null) throw new Error('RtpTestClient: connect(answer) first');
    return this.#remote;
  }

  /** Sends a crafted datagram to roomtone's RTP port as is. */
  sendRaw(datagram: Uint8Array): void {
    if (this.#closed) return;
    this.#socket.send(datagram, this.remote.port, this.remote.address);
  }

  /**
   * Encodes `pcm` (48 kHz mono; a partial last frame is padded with silence) into 20 ms packets
   * and sends packet k at start + k × 20 ms (drift-free), through `opts`' impairments. The first
   * packet has the marker bit (a talkspurt starts). Resolves when every datagram has left (or
   * close() was called). Everything is encoded before the first send, so the codec does not
   * disturb the pacing.
   */
  async sendSignal(pcm: Int16Array, opts: SendOptions = {}): Promise<SendReport> {
    const remote = this.remote;
    if (this.#finishSend !== null) throw new Error('RtpTestClient: a sendSignal() is already running');
    const payloads = this.#encodeAll(pcm);
    const levels = this.#o.audioLevels ? frameAudioLevels(pcm, FRAME_48K) : null;
    const rnd = seededRandom(opts.seed ?? 1);
    const jitter = opts.jitterMs ?? 0;
    const reorderMs = opts.reorderMs ?? 45;
    const lateMs = opts.lateMs ?? 400;
    const startMs = performance.now() + 5;
    // The RTP clock runs in real time across runs: a pause between two sendSignal() calls
    // advances the timestamp as a real sender's would (RFC 3550 §5.1), and sequence numbers
    // simply continue.
    const rtpPerMs = this.codec === 'opus' ? 48 : 8;
    if (this.#clockBase === null) this.#clockBase = { ms: startMs, timestamp: this.#timestamp };
    else this.#timestamp = (this.#clockBase.timestamp + Math.round((startMs - this.#clockBase.ms) * rtpPerMs)) >>> 0;
    const packets: SentPacket[] = [];
    const events: { at: number; index: number; datagram: Buffer }[] = [];
    for (let k = 0; k < payloads.length; k++) {
      // Draw every random number for every packet, so one impairment's setting does not shift
      // the others' sequence.
      const [rLoss, rJitter, rReorder, rDup, rDupDelay, rLate] = [rnd(), rnd(), rnd(), rnd(), rnd(), rnd()];
      const seq = this.#seq;
      const timestamp = this.#timestamp;
      this.#seq = (this.#seq + 1) & 0xffff;
      this.#timestamp = (this.#timestamp + (this.codec === 'opus' ? FRAME_48K : FRAME_48K / 6)) >>> 0;
      const p: SentPacket = {
        index: k, seq, timestamp, slotMs: 0, sentMs: [], dropped: rLoss < (opts.loss ?? 0),
        duplicated: false, reordered: false, late: false,
      };
      packets.push(p);
      if (p.dropped) continue;
      const ext = levels === null ? null : audioLevelExtension(levels[k], AUDIO_LEVEL_EXT_ID);
      const headerLength = 12 + (ext === null ? 0 : ext.length);
      const datagram = Buffer.alloc(headerLength + payloads[k].length);
      writeRtpHeader(datagram, 0, { marker: k === 0 && (opts.marker ?? true), payloadType: remote.payloadType, sequenceNumber: seq, timestamp, ssrc: this.ssrc });
      if (ext !== null) {
        datagram[0] |= 0x10; // X: the extension block follows the fixed header
        datagram.set(ext, 12);
      }
      datagram.set(payloads[k], headerLength);
      let at = k * PTIME_MS + rJitter * 2 * jitter;
      if (rLate < (opts.late ?? 0)) {
        p.late = true;
        at = k * PTIME_MS + lateMs;
      } else if (rReorder < (opts.reorder ?? 0)) {
        p.reordered = true;
        at += reorderMs;
      }
      events.push({ at, index: k, datagram });
      if (rDup < (opts.duplicate ?? 0)) {
        p.duplicated = true;
        events.push({ at: at + rDupDelay * 5, index: k, datagram });
      }
    }
    events.sort((a, b) => a.at - b.at || a.index - b.index);

    for (const p of packets) p.slotMs = startMs + p.index * PTIME_MS;
    let next = 0;
    await new Promise<void>((resolve) => {
      this.#finishSend = resolve;
      const wake = () => {
        this.#timer = null;
        if (this.#closed) return resolve();
        const now = performance.now();
        // Bounded: each pass sends only events already due, and each event once.
        while (next < events.length && startMs + events[next].at <= now + 0.5) {
          const e = events[next++];
          packets[e.index].sentMs.push(performance.now());
          this.#socket.send(e.datagram, remote.port, remote.address);
        }
        if (next >= events.length) return resolve();
        this.#timer = setTimeout(wake, Math.max(0, startMs + events[next].at - performance.now()));
      };
      this.#timer = setTimeout(wake, Math.max(0, startMs - performance.now()));
    });
    this.#finishSend = null;
    return {
      packets,
      datagrams: packets.reduce((n, p) => n + p.sentMs.length, 0),
      dropped: packets.filter((p) => p.dropped).length,
      duplicated: packets.filter((p) => p.duplicated).length,
      reordered: packets.filter((p) => p.reordered).length,
      late: packets.filter((p) => p.late).length,
      startMs,
    };
  }

  /** Everything received, decoded in sequence order to 48 kHz. */
  decoded(): Int16Array {
    return this.decodeTimeline().pcm;
  }

  /**
   * Decodes the received stream in sequence order (duplicates ignored; a gap of missing
   * sequence numbers is concealed frame by frame, up to MAX_CONCEAL_GAP; a larger jump is a
   * discontinuity and starts afresh), recording where each packet's audio starts.
   */
  decodeTimeline(): DecodedTimeline {
    const ordered = orderBySequence(this.received);
    const opus = this.codec === 'opus' ? new OpusDecoder() : null;
    const up = this.codec === 'PCMU' ? new Resampler(8000, 48000, 8000) : null;
    const chunks: Int16Array[] = [];
    const slots: DecodedTimeline['slots'] = [];
    let total = 0;
    let concealed = 0;
    let lastFrame = FRAME_48K;
    const push = (seq: number, pcm: Int16Array, packet: ReceivedPacket | null) => {
      slots.push({ seq, startSample: total, samples: pcm.length, packet });
      chunks.push(pcm);
      total += pcm.length;
      if (pcm.length > 0) lastFrame = pcm.length;
    };
    const decodeOne = (payload: Buffer): Int16Array => {
      if (opus !== null) return (opus.decode(payload) ?? opus.conceal()).slice(); // the decoder reuses its buffer
      const narrow = new Int16Array(payload.length);
      decodeUlaw(payload, narrow);
      const wide = new Int16Array(narrow.length * 6);
      up!.process(narrow, wide);
      return wide;
    };
    let prev = NaN;
    for (const { ext, packet } of ordered) {
      const gap = Number.isNaN(prev) ? 0 : ext - prev - 1;
      if (gap > 0 && gap <= MAX_CONCEAL_GAP) {
        for (let s = 1; s <= gap; s++) {
          concealed++;
          push((prev + s) & 0xffff, opus !== null ? opus.conceal().slice() : new Int16Array(lastFrame), null);
        }
      }
      push(packet.seq, decodeOne(packet.payload), packet);
      prev = ext;
    }
    const pcm = new Int16Array(total);
    let at = 0;
    for (const c of chunks) {
      pcm.set(c, at);
      at += c.length;
    }
    return { pcm, slots, concealed };
  }

  /** Stops any sending (its promise resolves) and closes the socket; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#rtcpTimer !== null) clearInterval(this.#rtcpTimer);
    this.#rtcpTimer = null;
    this.#finishSend?.();
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }

  #encodeAll(pcm: Int16Array): Uint8Array[] {
    const frames = Math.ceil(pcm.length / FRAME_48K);
    const out: Uint8Array[] = [];
    if (this.codec === 'opus') {
      const encoder = new OpusEncoder({ bitrate: 32000, complexity: 5, ...this.#o.opus });
      for (let k = 0; k < frames; k++) out.push(encoder.encode(frame(pcm, k)).slice());
      return out;
    }
    const down = new Resampler(48000, 8000, FRAME_48K);
    const narrow = new Int16Array(FRAME_48K / 6);
    for (let k = 0; k < frames; k++) {
      down.process(frame(pcm, k), narrow);
      const payload = new Uint8Array(narrow.length);
      encodeUlaw(narrow, payload);
      out.push(payload);
    }
    return out;
  }

  #onMessage(msg: Buffer): void {
    const arrivalMs = performance.now();
    if (this.#closed) return;
    if (isRtcpPacket(msg, msg.length)) {
      this.rtcpReceived++;
      return;
    }
    const p = this.#parsed;
    if (parseRtp(msg, msg.length, p) !== null) return;
    if (this.received.length >= this.#o.maxRecorded) {
      this.unrecorded++;
      return;
    }
    this.received.push({
      arrivalMs,
      seq: p.sequenceNumber,
      timestamp: p.timestamp,
      marker: p.marker,
      payloadType: p.payloadType,
      ssrc: p.ssrc,
      payload: Buffer.from(msg.subarray(p.payloadOffset, p.payloadOffset + p.payloadLength)),
    });
  }
}

function frame(pcm: Int16Array, k: number): Int16Array {
  const f = pcm.subarray(k * FRAME_48K, (k + 1) * FRAME_48K);
  if (f.length === FRAME_48K) return f;
  const padded = new Int16Array(FRAME_48K);
  padded.set(f);
  return padded;
}

/** Received packets by extended sequence number (first arrival wins), ascending. */
function orderBySequence(received: ReceivedPacket[]): { ext: number; packet: ReceivedPacket }[] {
  const byExt = new Map<number, ReceivedPacket>();
  let highest = NaN;
  for (const packet of received) {
    let ext = packet.seq + 0x10000;
    if (!Number.isNaN(highest)) {
      ext = (highest & ~0xffff) | packet.seq;
      if (ext - highest > 0x8000) ext -= 0x10000;
      else if (highest - ext > 0x8000) ext += 0x10000;
    }
    if (Number.isNaN(highest) || ext > highest) highest = ext;
    if (!byExt.has(ext)) byExt.set(ext, packet);
  }
  return [...byExt.entries()].sort((a, b) => a[0] - b[0]).map(([ext, packet]) => ({ ext, packet }));
}
