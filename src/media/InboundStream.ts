import { monotonicMs } from '../clock/monotonic.js';
import type { AudioDecoder } from '../codecs/AudioDecoder.js';
import { Resampler } from '../codecs/Resampler.js';
import { NO_LEVEL, underGate } from './audioLevelGate.js';
import { JitterBuffer, Playout, type JitterPushResult } from './JitterBuffer.js';
import { PcmFifo } from './PcmFifo.js';

export interface InboundStreamOptions {
  /** Smallest playout delay the buffer adapts down to. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Consecutive concealment before the stream is treated as silent. */
  maxConcealMs?: number;
}

export interface InboundStats {
  packets: number;
  decoded: number;
  lost: number;
  late: number;
  duplicates: number;
  overflow: number;
  malformed: number;
  /** Frames (packets' worth) synthesised by loss concealment. */
  concealed: number;
  /** Of those, frames concealed while the buffer ran dry (packets late, not lost). */
  concealedDry: number;
  silentPackets: number;
  /** Packets whose RFC 6464 level put them under the conference's gate: not decoded. */
  skippedPackets: number;
  underruns: number;
  shrinks: number;
  jitterMs: number;
  targetMs: number;
  bufferedMs: number;
  /** Time spent decoding and concealing, for metrics. */
  decodeMs: number;
}

const MAX_PACKET_MS = 120;
/** Skipped packets kept to warm the decoder up, and the largest kept (quiet packets are small). */
const PRIMERS = 3;
const PRIMER_BYTES = 512;

/**
 * One participant's incoming audio, from packets to exactly one conference frame per tick.
 *
 * Playout policy: the stream starts (and restarts after silence) once `targetMs` of audio is
 * buffered, dropping any older backlog beyond the target. Each tick it decodes packets in
 * sequence order; a packet still missing when its turn comes is concealed (Opus PLC, G.711
 * repeat-with-fade) and counted lost, and it is dropped as late if it shows up afterwards.
 * DTX and comfort-noise payloads play as silence, and so do packets whose RFC 6464 level says
 * they cannot open the conference's gate (they are not decoded; see #skip). Running dry while
 * talking is concealed for up to `maxConcealMs`; if packets resume within that time they were
 * late (an underrun), and the target grows by the time concealed. If they do not, the sender simply stopped, which
 * says nothing about the network. The target decays one frame per 10 s without an underrun,
 * and while the buffer holds more than a packet beyond the target the oldest packet is dropped
 * every 200 ms, so the delay comes back down quickly.
 */
export class InboundStream {
  readonly stats: InboundStats;
  readonly #decoder: AudioDecoder;
  readonly #jitter = new JitterBuffer();
  readonly #fifo: PcmFifo;
  readonly #resampler: Resampler | null;
  readonly #resampled: Int16Array;
  readonly #rate: number;
  readonly #frameMs: number;
  readonly #minDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxConcealMs: number;
  #playing = false;
  #voiced = false;
  #concealedMs = 0;
  #packetMs = 20;
  #overflowRun = 0;
  #lastArrival = NaN;
  #lastTs = NaN;
  #minBuffered = Infinity;
  #reads = 0;
  #sinceUnderrun = 0;
  #dryFrames = 0;
  /** Mean |sample| under which the conference will not hear this tick's frame (0: hears all). */
  #gate = 0;
  /** The last packets played without decoding (a ring), kept to warm the decoder up again. */
  readonly #primers: Uint8Array;
  readonly #primerLengths = new Int32Array(PRIMERS);
  #primerNext = 0;
  /** Packets were skipped since the last decode: the decoder's state is stale. */
  #stale = false;
  /** The packet this tick's frame is, whole and alone, when the codec is Opus (else null). */
  #packet: Uint8Array | null = null;
  readonly #keepsPackets: boolean;
  readonly #frameSamples: number;

  constructor(decoder: AudioDecoder, rate: number, frameSamples: number, opts: InboundStreamOptions = {}) {
    this.#decoder = decoder;
    this.#rate = rate;
    this.#frameSamples = frameSamples;
    this.#frameMs = (frameSamples / rate) * 1000;
    this.#minDelayMs = opts.minDelayMs ?? 20;
    this.#maxDelayMs = opts.maxDelayMs ?? 200;
    this.#maxConcealMs = opts.maxConcealMs ?? 100;
    const maxIn = (decoder.clockRate * MAX_PACKET_MS) / 1000;
    this.#resampler = decoder.clockRate === rate ? null : new Resampler(decoder.clockRate, rate, maxIn);
    this.#resampled = this.#resampler === null ? new Int16Array(0) : new Int16Array((rate * MAX_PACKET_MS) / 1000);
    this.#primers = new Uint8Array(PRIMERS * PRIMER_BYTES);
    this.#keepsPackets = decoder.name === 'opus' && this.#resampler === null;
    // The FIFO holds under a frame before a step and adds at most one packet (plus a frame of
    // slack for resampler rounding).
    this.#fifo = new PcmFifo(Math.ceil((rate * (MAX_PACKET_MS + 2 * this.#frameMs)) / 1000));
    this.stats = {
      packets: 0, decoded: 0, lost: 0, late: 0, duplicates: 0, overflow: 0, malformed: 0, concealed: 0,
      concealedDry: 0, silentPackets: 0, skippedPackets: 0, underruns: 0, shrinks: 0, jitterMs: 0, targetMs: this.#minDelayMs, bufferedMs: 0, decodeMs: 0,
    };
  }

  /** Accepts one packet's payload (from the socket handler, outside the tick). */
  push(seq: number, ts: number, buf: Uint8Array, offset: number, length: number, marker: boolean, arrivalMs: number, level = NO_LEVEL): JitterPushResult {
    this.stats.packets++;
    let result = this.#jitter.push(seq, ts, buf, offset, length, marker, level);
    if (result === 'overflow' && ++this.#overflowRun >= 8) {
      // A sequence jump that persists is a restarted sender, not a burst: start over.
      this.reset();
      result = this.#jitter.push(seq, ts, buf, offset, length, marker, level);
    }
    if (result !== 'overflow') this.#overflowRun = 0;
    // Late and repeated packets would inflate the estimate that sets the playout target.
    if (result === 'ok') this.#trackJitter(ts, arrivalMs);
    if (result === 'late') this.stats.late++;
    else if (result === 'duplicate') this.stats.duplicates++;
    else if (result === 'overflow') this.stats.overflow++;
    return result;
  }

  /**
   * Takes the sequence slot of a packet that carries no audio (a DTMF event, comfort noise):
   * it is neither audio nor loss, and playout passes it without concealing.
   */
  pushPlaceholder(seq: number, ts: number): void {
    this.#jitter.pushPlaceholder(seq, ts);
  }

  /**
   * Fills `dst` with this tick's frame. Returns false when the participant is silent. `gate` is
   * the mean |sample| a frame needs for the conference to hear it this tick (0: all frames).
   */
  readFrame(dst: Int16Array, gate = 0): boolean {
    this.#gate = gate;
    this.#packet = null;
    if (!this.#playing) {
      if (this.#jitter.size === 0 || this.#bufferedMs() < this.stats.targetMs) return false;
      while (this.#bufferedMs() > this.stats.targetMs + this.#packetMs) {
        this.#jitter.dropOldest();
        this.stats.shrinks++;
      }
      this.#playing = true;
      this.#concealedMs = 0;
    }
    while (this.#fifo.size < dst.length) {
      if (!this.#step()) {
        this.#fifo.write(null, dst.length - this.#fifo.size, true);
        this.#playing = false;
      }
    }
    const voiced = this.#fifo.read(dst);
    this.#adapt();
    return voiced;
  }

  /**
   * The Opus packet that this tick's frame was decoded from, when the frame is exactly that one
   * packet (a listener who hears only this participant may be sent it as it is). Null for any
   * other frame: concealed, skipped, resampled, or made of more or less than one packet. Valid
   * until the next readFrame.
   */
  get opusPacket(): Uint8Array | null {
    return this.#packet;
  }

  reset(): void {
    this.#jitter.reset();
    this.#fifo.clear();
    this.#decoder.reset();
    this.#stale = false;
    this.#primerLengths.fill(0);
    this.#playing = false;
    this.#overflowRun = 0;
    this.#dryFrames = 0;
    this.#lastArrival = NaN;
  }

  /** Produces the next packet's worth of audio. Returns false when the stream has run dry. */
  #step(): boolean {
    const next = this.#jitter.peek();
    if (next !== Playout.Empty && this.#dryFrames > 0) {
      // Packets resumed while we were concealing: they were late, so ask for more cushion.
      this.stats.underruns++;
      this.#sinceUnderrun = 0;
      this.stats.targetMs = Math.min(this.#maxDelayMs, this.stats.targetMs + this.#dryFrames * this.#frameMs);
      this.#dryFrames = 0;
    }
    if (next === Playout.Packet) {
      this.#jitter.take();
      if (this.#jitter.placeholder) {
        this.#voiced = false;
        return this.#jitter.size > 0;
      }
      const payload = this.#jitter.payload;
      if (this.#decoder.isSilence(payload)) {
        this.stats.silentPackets++;
        this.#playSilence();
        return true;
      }
      if (underGate(this.#jitter.level, this.#gate)) {
        this.#skip(payload);
        return true;
      }
      const started = monotonicMs();
      if (this.#stale) this.#warmUp();
      const pcm = this.#decoder.decode(payload);
      this.stats.decodeMs += monotonicMs() - started;
      if (pcm === null) {
        this.stats.malformed++;
        this.#conceal();
        return true;
      }
      this.stats.decoded++;
      if (this.#keepsPackets && this.#fifo.size === 0 && pcm.length === this.#frameSamples) this.#packet = payload;
      this.#voiced = true;
      this.#concealedMs = 0;
      this.#packetMs = (pcm.length / this.#decoder.clockRate) * 1000;
      this.#emit(pcm, false);
      return true;
    }
    if (next === Playout.Lost) {
      this.#jitter.skip();
      this.stats.lost++;
      this.#conceal();
      return true;
    }
    // Dry. Talking: conceal a little while waiting to see whether packets are late or stopped.
    if (this.#voiced && this.#concealedMs < this.#maxConcealMs) {
      this.#dryFrames++;
      this.stats.concealedDry++;
      this.#conceal();
      return true;
    }
    this.#dryFrames = 0;
    this.#voiced = false;
    return false;
  }

  /**
   * Plays a packet under the gate as silence without decoding it. The decoder misses it, so
   * before the next decode it is reset and fed the last skipped packets (#warmUp): its filter,
   * overlap and energy state then nearly match the audio just before, and speech resumes
   * without a click. CELT needs three packets for that (the first frame after them is within
   * -10 dB of an uninterrupted decode, against +13 dB from a bare reset); SILK needs one.
   */
  #skip(payload: Uint8Array): void {
    this.stats.skippedPackets++;
    const samples = this.#decoder.samplesOf(payload);
    if (samples > 0) this.#packetMs = (samples / this.#decoder.clockRate) * 1000;
    const k = this.#primerNext;
    this.#primerNext = (k + 1) % PRIMERS;
    const fits = payload.length <= PRIMER_BYTES;
    if (fits) this.#primers.set(payload, k * PRIMER_BYTES);
    this.#primerLengths[k] = fits ? payload.length : 0;
    this.#stale = true;
    this.#playSilence();
  }

  #warmUp(): void {
    this.#stale = false;
    this.#decoder.reset();
    for (let i = 0; i < PRIMERS; i++) {
      const k = (this.#primerNext + i) % PRIMERS;
      const n = this.#primerLengths[k];
      if (n > 0) this.#decoder.decode(this.#primers.subarray(k * PRIMER_BYTES, k * PRIMER_BYTES + n));
    }
    this.#primerLengths.fill(0);
  }

  #playSilence(): void {
    this.#voiced = false;
    this.#fifo.write(null, Math.round((this.#packetMs * this.#rate) / 1000), true);
  }

  #conceal(): void {
    if (this.#stale) {
      // The decoder last heard audio from before the skipped packets: its concealment would
      // replay that. What was lost followed audio under the gate, so silence is the estimate.
      this.stats.concealed++;
      this.#playSilence();
      return;
    }
    const started = monotonicMs();
    const pcm = this.#decoder.conceal();
    this.stats.decodeMs += monotonicMs() - started;
    this.stats.concealed++;
    this.#concealedMs += (pcm.length / this.#decoder.clockRate) * 1000;
    this.#emit(pcm, false);
  }

  #emit(pcm: Int16Array, silent: boolean): void {
    if (this.#resampler === null) {
      this.#fifo.write(pcm, pcm.length, silent);
      return;
    }
    const n = this.#resampler.process(pcm, this.#resampled);
    this.#fifo.write(this.#resampled, n, silent);
  }

  #bufferedMs(): number {
    return (this.#fifo.size / this.#rate) * 1000 + this.#jitter.size * this.#packetMs;
  }

  /** Every 200 ms: shrink a standing excess; after 10 s without an underrun, lower the target. */
  #adapt(): void {
    const buffered = this.#bufferedMs();
    this.stats.bufferedMs = buffered;
    if (buffered < this.#minBuffered) this.#minBuffered = buffered;
    this.#sinceUnderrun += this.#frameMs;
    if (++this.#reads * this.#frameMs < 200) return;
    if (this.#playing && this.#minBuffered > this.stats.targetMs + this.#packetMs) {
      this.#jitter.dropOldest();
      this.stats.shrinks++;
    }
    const floor = Math.max(this.#minDelayMs, Math.min(this.#maxDelayMs, Math.ceil((3 * this.stats.jitterMs) / this.#frameMs) * this.#frameMs));
    if (this.#sinceUnderrun >= 10_000 && this.stats.targetMs > floor) {
      this.stats.targetMs -= this.#frameMs;
      this.#sinceUnderrun = 0;
    }
    if (this.stats.targetMs < floor) this.stats.targetMs = floor;
    this.#reads = 0;
    this.#minBuffered = Infinity;
  }

  /** RFC 3550 interarrival jitter, in ms. */
  #trackJitter(ts: number, arrivalMs: number): void {
    if (!Number.isNaN(this.#lastArrival)) {
      const transit = arrivalMs - this.#lastArrival - (((ts - this.#lastTs) | 0) * 1000) / this.#decoder.rtpClockRate;
      // Over a second is a timestamp jump (a sender restart), not network jitter.
      if (Math.abs(transit) < 1000) this.stats.jitterMs += (Math.abs(transit) - this.stats.jitterMs) / 16;
    }
    this.#lastArrival = arrivalMs;
    this.#lastTs = ts;
  }
}
