// The load generator's media side: one UDP socket per participant, one timer pacing all of them,
// and receive statistics on the mix each participant gets back. It shares the machine with the
// server it measures, so its own cost must stay small and flat in N: payloads are encoded once
// (signals.ts), a send only rewrites the participant's header, each wake's sends leave in one
// native batch, and what came back is read by one native drain per wake (the server's own
// UdpBatch and UdpReceiver) rather than by a Node callback and Buffer per datagram.
import { createSocket, type Socket } from 'node:dgram';
import { LatenessHistogram } from '../../src/clock/LatenessHistogram.js';
import { monotonicMs, sleepUntilMs } from '../../src/clock/monotonic.js';
import { WakeTimer } from '../../src/clock/WakeTimer.js';
import { ipv4ToInt } from '../../src/transports/ipv4.js';
import { socketFd } from '../../src/transports/socketHandle.js';
import { UdpBatch } from '../../src/transports/UdpBatch.js';
import { UdpReceiver } from '../../src/transports/UdpReceiver.js';
import { FRAME_SAMPLES } from './signals.js';

export const PTIME_MS = 20;
/**
 * Wakes are this far apart at least. Phones send on their own clocks, so the generator serves
 * each slot on time rather than in the 1-2 ms batches Node's timers would make (WakeTimer sleeps
 * the last stretch); waking for every slot (50,000 a second at 1000 participants) would cost
 * more than it measures.
 */
const WAKE_GRAIN_MS = 0.5;
const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const LEVEL_EXT_ID = 1;
/** Whether the answer accepted RFC 6464 levels, and under which id. */
export function answeredLevelId(answer: string): number | null {
  const m = /^a=extmap:(\d+)(?:\/\w+)? urn:ietf:params:rtp-hdrext:ssrc-audio-level/m.exec(answer);
  return m ? Number(m[1]) : null;
}
/** A participant's SDP offer: plain RTP, Opus only, rtcp-mux (one socket each, as a softphone). */
export function sdpOffer(port: number, ssrc: number, levels: boolean): string {
  return ['v=0', `o=- ${ssrc} 0 IN IP4 127.0.0.1`, 's=load', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 111`,
    'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=0', 'a=ptime:20', 'a=rtcp-mux', 'a=sendrecv',
    ...(levels ? [`a=extmap:${LEVEL_EXT_ID} ${AUDIO_LEVEL_URI}`] : []),
    `a=ssrc:${ssrc} cname:load-${ssrc}`, ''].join('\r\n');
}

const LOOPBACK = ipv4ToInt('127.0.0.1')!;

interface Slot {
  fd: number;
  remotePort: number;
  header: Buffer;
  frames: readonly (Buffer | null)[];
  /** Each frame's RFC 6464 level, or null when the participant sends none. */
  levels: Uint8Array | null;
  frame: number;
  seq: number;
  timestamp: number;
  sentLast: boolean;
}

export interface ReceiveSummary {
  /** Mean over measured 1 s windows of all participants, packets/s. */
  meanRate: number;
  windows: number;
  windowsBelow45: number;
  windowsEmpty: number;
  minWindowRate: number;
  lost: number;
  largestGap: number;
  reordered: number;
  duplicates: number;
  /** RTCP packets received over the whole run (reports every ~5 s per participant). */
  rtcp: number;
  bytesPerPacket: number;
}

export class Generator {
  readonly #n: number;
  readonly #slots: (Slot | null)[];
  readonly #sockets: Socket[] = [];
  readonly #receiverSlots: number[] = [];
  readonly #receiver = new UdpReceiver();
  readonly #batch = new UdpBatch();
  // Receive state, per participant, in typed arrays touched by the message handlers.
  readonly #win: Uint32Array;
  readonly #highest: Uint16Array;
  readonly #seen: Uint8Array;
  #measuring = false;
  /** Figures of the measured window only. */
  readonly #m = { received: 0, bytes: 0, gaps: 0, largestGap: 0, reordered: 0, duplicates: 0, windows: 0, below: 0, empty: 0, rateSum: 0, minRate: Infinity };
  #rtcp = 0;
  /** Totals since start, for the progress line. */
  sent = 0;
  received = 0;
  #socketErrors = 0;
  readonly lateness = new LatenessHistogram();
  /** Lateness over the whole run, joins included (reported, not judged). */
  readonly latenessAll = new LatenessHistogram();
  #t0 = 0;
  #round = 0;
  #cursor = 0;
  readonly #timer = new WakeTimer(() => this.#wake(), monotonicMs, sleepUntilMs);
  #winStart = monotonicMs();

  constructor(participants: number) {
    this.#n = participants;
    this.#slots = new Array<Slot | null>(participants).fill(null);
    this.#win = new Uint32Array(participants);
    this.#highest = new Uint16Array(participants);
    this.#seen = new Uint8Array(participants);
  }

  /** Binds participant i's socket on 127.0.0.1 (an ephemeral port) and starts counting what it receives. */
  async open(i: number): Promise<{ socket: Socket; port: number }> {
    const socket = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.removeListener('error', reject);
        resolve();
      });
    });
    // ICMP "port unreachable" after the server has gone must not crash the run.
    socket.on('error', () => this.#socketErrors++);
    this.#sockets.push(socket);
    const slot = this.#receiver.add(socket, (buf, length) => this.#onMessage(i, buf, length));
    if (slot === null) throw new Error('the generator needs the native socket reader (a bound udp4 socket)');
    this.#receiverSlots.push(slot);
    return { socket, port: socket.address().port };
  }

  /** Send and receive failures: refused sends, read errors, dgram errors. */
  get socketErrors(): number {
    return this.#socketErrors + this.#batch.stats.errors + this.#receiver.stats.errors;
  }

  /**
   * Starts sending for participant i to the server's port from its answer. Connecting the socket
   * filters out anything not from that port.
   */
  async activate(i: number, socket: Socket, remotePort: number, payloadType: number, frames: readonly (Buffer | null)[], startFrame: number, ssrc: number,
    levels: { id: number; values: Uint8Array } | null): Promise<void> {
    await new Promise<void>((resolve) => socket.connect(remotePort, '127.0.0.1', resolve));
    // With levels: the RFC 8285 one-byte extension block, one element of one byte, padded to 4.
    const header = Buffer.alloc(levels ? 20 : 12);
    header[0] = levels ? 0x90 : 0x80;
    header[1] = payloadType;
    header.writeUInt32BE(ssrc >>> 0, 8);
    if (levels) {
      header.writeUInt32BE(0xbede0001, 12);
      header[16] = levels.id << 4;
    }
    this.#slots[i] = { fd: socketFd(socket), remotePort, header, frames, levels: levels?.values ?? null, frame: startFrame % frames.length,
      seq: (ssrc * 7) & 0xffff, timestamp: (ssrc * 13) >>> 0, sentLast: false };
  }

  /**
   * Starts the one pacing timer. Participant i sends at t0 + 20 ms × k + i × 20 ms / N: spread
   * evenly over the frame, as independent phones would be, rather than all in one burst.
   */
  start(): void {
    this.#t0 = monotonicMs() + 5;
    this.#timer.at(this.#t0);
  }

  stop(): void {
    this.#timer.clear();
  }

  #wake(): void {
    this.#receiver.drain();
    const spacing = PTIME_MS / this.#n;
    let due = this.#t0 + this.#round * PTIME_MS + this.#cursor * spacing;
    // Bounded: each pass serves only slots already due; a late wake catches up in one burst,
    // as a real sender whose thread was descheduled would.
    let now = monotonicMs();
    while (due <= now) {
      const slot = this.#slots[this.#cursor];
      if (slot !== null) {
        const late = now - due;
        this.latenessAll.record(late);
        if (this.#measuring) this.lateness.record(late);
        this.#send(slot);
      }
      if (++this.#cursor === this.#n) {
        this.#cursor = 0;
        this.#round++;
      }
      due = this.#t0 + this.#round * PTIME_MS + this.#cursor * spacing;
      now = monotonicMs();
    }
    this.#batch.flush();
    this.#timer.at(Math.max(due, now + WAKE_GRAIN_MS), now);
  }

  #send(s: Slot): void {
    const payload = s.frames[s.frame];
    if (payload !== null) {
      const h = s.header;
      if (s.levels !== null) h[17] = s.levels[s.frame];
      h[1] = (s.sentLast ? 0 : 0x80) | (h[1] & 0x7f); // marker: the first packet after a pause
      h[2] = s.seq >>> 8;
      h[3] = s.seq & 0xff;
      h.writeUInt32BE(s.timestamp, 4);
      this.#batch.add(s.fd, LOOPBACK, s.remotePort, h, payload);
      s.seq = (s.seq + 1) & 0xffff;
      this.sent++;
    }
    if (++s.frame === s.frames.length) s.frame = 0;
    s.sentLast = payload !== null;
    // The timestamp runs on through DTX gaps (RFC 3550 §5.1); sequence numbers do not.
    s.timestamp = (s.timestamp + FRAME_SAMPLES) >>> 0;
  }

  #onMessage(i: number, msg: Uint8Array, length: number): void {
    if (length < 12 || msg[0] >> 6 !== 2) return;
    const pt = msg[1] & 0x7f;
    if (pt >= 72 && pt <= 76) {
      this.#rtcp++; // RTCP 200-204 on the muxed port
      return;
    }
    this.received++;
    this.#win[i]++;
    const seq = (msg[2] << 8) | msg[3];
    if (this.#measuring) {
      this.#m.received++;
      this.#m.bytes += length - 12;
    }
    if (this.#seen[i] === 0) {
      this.#seen[i] = 1;
      this.#highest[i] = seq;
      return;
    }
    const delta = (seq - this.#highest[i]) & 0xffff;
    if (delta === 0) {
      if (this.#measuring) this.#m.duplicates++;
    } else if (delta < 0x8000) {
      this.#highest[i] = seq;
      if (this.#measuring && delta > 1) {
        this.#m.gaps += delta - 1;
        if (delta - 1 > this.#m.largestGap) this.#m.largestGap = delta - 1;
      }
    } else if (this.#measuring) this.#m.reordered++; // late: it fills a gap counted before
  }

  /** Closes the current 1 s window: per-participant rates go into the measured totals when measuring. */
  roll(): void {
    this.#receiver.drain(); // count what arrived up to now in the window that is closing
    const now = monotonicMs();
    const ms = now - this.#winStart;
    this.#winStart = now;
    if (this.#measuring && ms > 0) {
      for (let i = 0; i < this.#n; i++) {
        if (this.#slots[i] === null) continue;
        const rate = (this.#win[i] * 1000) / ms; // normalised: the interval may fire a little late
        this.#m.rateSum += rate;
        this.#m.windows++;
        if (rate < 45) this.#m.below++;
        if (this.#win[i] === 0) this.#m.empty++;
        if (rate < this.#m.minRate) this.#m.minRate = rate;
      }
    }
    this.#win.fill(0);
  }

  /** Starts the measured window (once per run) with a fresh 1 s window and lateness record. */
  beginMeasurement(): void {
    this.#measuring = true;
    this.#winStart = monotonicMs();
    this.#win.fill(0);
    this.lateness.reset();
  }

  endMeasurement(): ReceiveSummary {
    this.#measuring = false;
    return {
      meanRate: this.#m.windows === 0 ? 0 : this.#m.rateSum / this.#m.windows,
      windows: this.#m.windows,
      windowsBelow45: this.#m.below,
      windowsEmpty: this.#m.empty,
      minWindowRate: this.#m.windows === 0 ? 0 : this.#m.minRate,
      lost: Math.max(0, this.#m.gaps - this.#m.reordered),
      largestGap: this.#m.largestGap,
      reordered: this.#m.reordered,
      duplicates: this.#m.duplicates,
      rtcp: this.#rtcp,
      bytesPerPacket: this.#m.received === 0 ? 0 : this.#m.bytes / this.#m.received,
    };
  }

  async close(): Promise<void> {
    this.stop();
    for (const slot of this.#receiverSlots) this.#receiver.remove(slot);
    this.#receiver.close();
    await Promise.all(this.#sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
