// Hand-made RTP for transport tests: a UDP peer that sends packets byte by byte as a test
// wants them (valid, broken, replayed, from elsewhere), a 20 ms pacer that keeps its grid under
// load, SDP offers, and a reference classifier of bad datagrams.
import { createSocket, type Socket } from 'node:dgram';
import { OpusDecoder } from '../../src/codecs/OpusDecoder.js';
import { OpusEncoder } from '../../src/codecs/OpusEncoder.js';
import { parseRtcp } from '../../src/rtp/rtcp.js';
import { newRtpPacket, parseRtp, writeRtpHeader } from '../../src/rtp/RtpPacket.js';
import { formatSdesCrypto, parseSdesKey } from '../../src/sdp/sdesCrypto.js';
import { SrtpContext } from '../../src/srtp/SrtpContext.js';
import type { SdesKey } from '../../src/srtp/SrtpSuite.js';
import type { DropReason } from '../../src/transports/DropCounter.js';
import { goertzelDb } from './audio.js';

export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** Seeded PRNG: the same seed gives the same bytes on every run. */
export { seededRandom as prng } from './random.js';

export function randomInt(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

/** A continuous sine, encoded to Opus 20 ms at a time (phase carries over between packets). */
export class OpusTone {
  readonly #encoder = new OpusEncoder();
  readonly #pcm = new Int16Array(960);
  readonly #freq: number;
  readonly #amplitude: number;
  #n = 0;

  constructor(freq: number, amplitude = 8000) {
    this.#freq = freq;
    this.#amplitude = amplitude;
  }

  next(): Buffer {
    for (let i = 0; i < 960; i++, this.#n++) {
      this.#pcm[i] = Math.round(this.#amplitude * Math.sin((2 * Math.PI * this.#freq * this.#n) / 48000));
    }
    return Buffer.from(this.#encoder.encode(this.#pcm)); // a copy: the encoder reuses its buffer
  }
}

export interface RtpFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  /** One-byte-header (RFC 8285) extension elements: [id, data]. */
  extensions?: [number, Uint8Array][];
}

/** An RTP packet: 12-byte header, optional one-byte-header extension block, payload. */
export function buildRtp(f: RtpFields, payload: Uint8Array): Buffer {
  let ext: Buffer | null = null;
  if (f.extensions && f.extensions.length > 0) {
    const elements = Buffer.concat(f.extensions.map(([id, data]) => Buffer.concat([Buffer.of((id << 4) | (data.length - 1)), data])));
    const padded = Buffer.alloc((elements.length + 3) & ~3);
    elements.copy(padded);
    ext = Buffer.alloc(4 + padded.length);
    ext.writeUInt16BE(0xbede, 0);
    ext.writeUInt16BE(padded.length / 4, 2);
    padded.copy(ext, 4);
  }
  const header = Buffer.alloc(12);
  writeRtpHeader(header, 0, { marker: f.marker ?? false, payloadType: f.payloadType, sequenceNumber: f.sequenceNumber, timestamp: f.timestamp, ssrc: f.ssrc });
  if (ext) header[0] |= 0x10;
  return Buffer.concat(ext ? [header, ext, payload] : [header, payload]);
}

/** One sender's sequence number and timestamp state. */
export class RtpStream {
  ssrc: number;
  seq: number;
  ts: number;
  readonly payloadType: number;

  constructor(o: { ssrc: number; seq: number; ts: number; payloadType: number }) {
    this.ssrc = o.ssrc >>> 0;
    this.seq = o.seq & 0xffff;
    this.ts = o.ts >>> 0;
    this.payloadType = o.payloadType;
  }

  /** The next packet of the stream; advances seq by 1 and the timestamp by `tsStep`. */
  next(payload: Uint8Array, o: { marker?: boolean; tsStep?: number; extensions?: [number, Uint8Array][]; payloadType?: number; timestamp?: number } = {}): Buffer {
    const packet = buildRtp(
      {
        payloadType: o.payloadType ?? this.payloadType,
        sequenceNumber: this.seq,
        timestamp: o.timestamp ?? this.ts,
        ssrc: this.ssrc,
        marker: o.marker,
        extensions: o.extensions,
      },
      payload,
    );
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + (o.tsStep ?? 960)) >>> 0;
    return packet;
  }
}

export interface Received {
  at: number;
  data: Buffer;
}

/**
 * A UDP endpoint playing the remote party. It records what roomtone sends (RTP and RTCP apart,
 * decrypted when `inKey` is set) and sends whatever bytes it is given.
 */
export class RtpPeer {
  readonly socket: Socket;
  readonly address: string;
  readonly port: number;
  readonly rtp: Received[] = [];
  readonly rtcp: Received[] = [];
  /** Datagrams that failed SRTP/SRTCP unprotect. */
  srtpFailures = 0;
  dest: { address: string; port: number } | null = null;
  #out: SrtpContext | null = null;
  #in: SrtpContext | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    const a = socket.address();
    this.address = a.address;
    this.port = a.port;
    socket.on('message', (msg) => this.#onMessage(msg));
  }

  /** Binds a socket on `address` (an ephemeral port unless given). */
  static open(address = '127.0.0.1', port = 0): Promise<RtpPeer> {
    return new Promise((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(port, address, () => {
        s.removeListener('error', reject);
        resolve(new RtpPeer(s));
      });
    });
  }

  /** SRTP keys: ours (we encrypt with it: the one in our SDP) and theirs (from their SDP). */
  setKeys(out: SdesKey | null, inbound: SdesKey | null): void {
    this.#out = out ? new SrtpContext(out) : null;
    this.#in = inbound ? new SrtpContext(inbound) : null;
  }

  /** Protects an RTP packet with our key when SRTP is on; returns it unchanged otherwise. */
  protect(packet: Buffer): Buffer {
    return this.#out ? this.#out.protectRtp(packet) : packet;
  }

  protectRtcp(packet: Buffer): Buffer {
    return this.#out ? this.#out.protectRtcp(packet) : packet;
  }

  send(data: Uint8Array, to = this.dest): void {
    if (to === null) throw new Error('RtpPeer: no destination');
    this.socket.send(data, to.port, to.address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  #onMessage(msg: Buffer): void {
    const at = performance.now();
    const isRtcp = msg.length >= 2 && msg[1] >= 192 && msg[1] <= 223;
    if (this.#in) {
      const plain = isRtcp ? this.#in.unprotectRtcp(msg) : this.#in.unprotectRtp(msg);
      if (typeof plain === 'string') {
        this.srtpFailures++;
        return;
      }
      msg = plain;
    }
    (isRtcp ? this.rtcp : this.rtp).push({ at, data: msg });
  }
}

/** Decodes the Opus RTP packets roomtone sent (in sequence order) to 48 kHz PCM. */
export function decodeOpusRtp(packets: Received[]): Int16Array {
  const p = newRtpPacket();
  const parsed = packets
    .map((r) => (parseRtp(r.data, r.data.length, p) === null ? { seq: p.sequenceNumber, payload: r.data.subarray(p.payloadOffset, p.payloadOffset + p.payloadLength) } : null))
    .filter((x): x is { seq: number; payload: Buffer } => x !== null);
  const decoder = new OpusDecoder();
  const chunks: Int16Array[] = [];
  for (const { payload } of parsed) {
    const pcm = decoder.decode(payload);
    if (pcm) chunks.push(pcm);
  }
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export interface OfferOptions {
  port: number;
  address?: string;
  /** Opus payload type (default 111). */
  payloadType?: number;
  telephoneEvent?: { payloadType: number; rate: number };
  /** Our SRTP key: RTP/SAVP with one a=crypto. */
  key?: SdesKey;
  audioLevelId?: number;
  direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  ssrc?: number;
  rtcpMux?: boolean;
  sessionVersion?: number;
}

/** An offer (or an answer: the shape is the same) for one Opus audio stream. */
export function makeSdp(o: OfferOptions): string {
  const address = o.address ?? '127.0.0.1';
  const pt = o.payloadType ?? 111;
  const pts = [pt, ...(o.telephoneEvent ? [o.telephoneEvent.payloadType] : [])];
  const lines = [
    'v=0',
    `o=- 4242 ${o.sessionVersion ?? 1} IN IP4 ${address}`,
    's=rtpCraft',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=audio ${o.port} ${o.key ? 'RTP/SAVP' : 'RTP/AVP'} ${pts.join(' ')}`,
    `a=rtpmap:${pt} opus/48000/2`,
    `a=fmtp:${pt} minptime=10;useinbandfec=0`,
  ];
  if (o.telephoneEvent) lines.push(`a=rtpmap:${o.telephoneEvent.payloadType} telephone-event/${o.telephoneEvent.rate}`, `a=fmtp:${o.telephoneEvent.payloadType} 0-16`);
  lines.push('a=ptime:20');
  if (o.rtcpMux ?? true) lines.push('a=rtcp-mux');
  lines.push(`a=${o.direction ?? 'sendrecv'}`);
  if (o.audioLevelId !== undefined) lines.push(`a=extmap:${o.audioLevelId} ${AUDIO_LEVEL_URI}`);
  if (o.key) lines.push(`a=crypto:${formatSdesCrypto(o.key)}`);
  if (o.ssrc !== undefined) lines.push(`a=ssrc:${o.ssrc >>> 0} cname:rtpcraft`);
  return `${lines.join('\r\n')}\r\n`;
}

export const sdpPort = (sdp: string): number => Number(/^m=audio (\d+)/m.exec(sdp)![1]);
export const sdpSsrc = (sdp: string): number => Number(/^a=ssrc:(\d+)/m.exec(sdp)![1]);
export const sdpDirection = (sdp: string): string => /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(sdp)![1];
export const sdpCrypto = (sdp: string): SdesKey => parseSdesKey(/^a=crypto:(.*?)\r?$/m.exec(sdp)![1]);

/**
 * Calls `onTick(k)` for k = 0, 1, ... at start + k x ptime, up to `maxTicks` ticks. A late wake
 * (a loaded machine) runs the due ticks back to back, so the stream keeps its rate.
 */
export class Pacer {
  k = 0;
  readonly #ptimeMs: number;
  readonly #onTick: (k: number) => void;
  readonly #maxTicks: number;
  #t0 = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #waiters: { k: number; resolve: () => void }[] = [];
  /** The first exception a tick threw; the pacer stops on it. */
  error: unknown = null;
  /** How late each tick was sent, in ms (a loaded machine delays the sender too). */
  readonly lateness: number[] = [];

  constructor(onTick: (k: number) => void, o: { maxTicks: number; ptimeMs?: number }) {
    this.#onTick = onTick;
    this.#maxTicks = o.maxTicks;
    this.#ptimeMs = o.ptimeMs ?? 20;
  }

  start(): this {
    this.#t0 = performance.now();
    this.#run();
    return this;
  }

  /** Resolves once tick `k` has been sent (immediately when the pacer stopped before it). */
  until(k: number): Promise<void> {
    if (this.k >= k || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ k, resolve }));
  }

  /** The latest any tick in [from, to) was sent. */
  maxLateness(from: number, to: number): number {
    return Math.max(0, ...this.lateness.slice(from, to));
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
  }

  #run = (): void => {
    this.#timer = null;
    const now = performance.now();
    try {
      while (!this.#stopped && this.k < this.#maxTicks && this.#t0 + this.k * this.#ptimeMs <= now + 0.5) {
        this.lateness.push(Math.max(0, now - (this.#t0 + this.k * this.#ptimeMs)));
        this.#onTick(this.k++);
      }
    } catch (err) {
      this.error = err;
      this.stop();
      return;
    }
    this.#waiters = this.#waiters.filter((w) => (this.k >= w.k ? (w.resolve(), false) : true));
    if (this.#stopped) return;
    if (this.k >= this.#maxTicks) return this.stop();
    this.#timer = setTimeout(this.#run, Math.max(0, this.#t0 + this.k * this.#ptimeMs - performance.now()));
  };
}

/**
 * Holds the packets of ticks [from, to) and lets them go together at tick `to`: a short network
 * hiccup early in a stream. The receiver's adaptive jitter buffer answers it by settling at a
 * deeper playout target, as it would on a real network; afterwards the test's own sender, whose
 * timers run late on a loaded machine, no longer underruns it. Without this the buffer sits at
 * its 20 ms minimum and any sender delay past 20 ms is an audible gap that has nothing to do with
 * what a test measures.
 */
export class Hiccup {
  readonly #held: Uint8Array[] = [];
  constructor(
    readonly from = 10,
    readonly to = 14,
  ) {}

  /** Sends `data` for tick k now, or holds it during the hiccup. */
  send(k: number, data: Uint8Array, send: (d: Uint8Array) => void): void {
    if (k >= this.from && k < this.to) {
      this.#held.push(data);
      return;
    }
    for (const d of this.#held.splice(0)) send(d);
    send(data);
  }
}

/**
 * What RtpTransport must do with a datagram from the latched source on a plain-RTP, rtcp-mux
 * session, by the order of checks RFC 3550/5761 imply: size, RTCP demux, header, payload type,
 * SSRC. Written independently of the transport, to predict where arbitrary bytes land.
 */
export function classifyDatagram(b: Uint8Array, o: { payloadTypes: number[]; ssrc: number }): DropReason | 'accepted' {
  const n = b.length;
  if (n > 1500) return 'oversized';
  if (n >= 2 && b[1] >= 192 && b[1] <= 223) return typeof parseRtcp(b, n) === 'string' ? 'rtcp-malformed' : 'accepted';
  if (n < 12) return 'truncated';
  if (b[0] >> 6 !== 2) return 'bad-version';
  let offset = 12 + (b[0] & 0x0f) * 4;
  if (offset > n) return 'truncated';
  if (b[0] & 0x10) {
    if (offset + 4 > n) return 'truncated';
    offset += 4 + ((b[offset + 2] << 8) | b[offset + 3]) * 4;
    if (offset > n) return 'bad-extension';
  }
  if (b[0] & 0x20) {
    const pad = b[n - 1];
    if (pad === 0 || pad > n - offset) return 'bad-padding';
  }
  const pt = b[1] & 0x7f;
  if (!o.payloadTypes.includes(pt) && pt !== 13) return 'unknown-payload-type';
  const ssrc = ((b[8] << 24) | (b[9] << 16) | (b[10] << 8) | b[11]) >>> 0;
  if (ssrc !== o.ssrc >>> 0) return 'wrong-ssrc';
  return 'accepted';
}

/** Level of `freq` in each consecutive window of `windowMs` (48 kHz). */
export function windowLevels(signal: Int16Array, freq: number, windowMs = 100, rate = 48000): number[] {
  const w = Math.round((rate * windowMs) / 1000);
  const out: number[] = [];
  for (let at = 0; at + w <= signal.length; at += w) out.push(goertzelDb(signal.subarray(at, at + w), freq, rate));
  return out;
}

export function counts<T extends string>(items: T[]): Partial<Record<T, number>> {
  const out: Partial<Record<T, number>> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}
