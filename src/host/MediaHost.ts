import type { ConferenceEvent } from '../conference/ConferenceEvent.js';
import { ConferenceRuntime } from '../conference/ConferenceRuntime.js';
import { Scheduler } from '../clock/Scheduler.js';
import { sleepUntilMs } from '../clock/monotonic.js';
import { InvalidArgumentError, InvalidStateError, NotFoundError, serializeError } from '../errors.js';
import { openPort, openSource } from './portFactory.js';
import { PortPool, type PortRange } from '../transports/PortPool.js';
import { DestinationPolicy } from '../transports/DestinationPolicy.js';
import { UdpBatch } from '../transports/UdpBatch.js';
import { UdpReceiver } from '../transports/UdpReceiver.js';
import { RtpEndpoint } from '../transports/RtpEndpoint.js';
import type { RtpEndpointConfig } from '../transports/RtpEndpoint.js';
import type { WebRtcConfig } from '../transports/WebRtcTransport.js';
import type { TransportStats } from '../transports/TransportStats.js';
import type { Logger } from '../util/logger.js';
import type { MediaConfig } from './MediaConfig.js';
import { TickHistogram } from '../conference/TickHistogram.js';
import { addTotals, addTransport, emptyTotals } from '../transports/TransportTotals.js';
import type { CommandArgs, CommandName, CommandResult, HostMessage, RequestMessage } from './protocol.js';

type Handlers = { [K in CommandName]: (args: CommandArgs<K>) => CommandResult<K> | Promise<CommandResult<K>> };

export interface MediaHostOptions {
  config: MediaConfig;
  /** This host's share of the RTP port range. */
  ports: PortRange;
  log: Logger;
  /**
   * Wake on each deadline by sleeping the thread for the last stretch (Scheduler "Precise
   * wakes"). For a media worker, whose thread does nothing else; the main thread, which also
   * serves the API, keeps Node's timers.
   */
  preciseWakes?: boolean;
}

/**
 * Sockets are read at every wake, and at least this often (ms) between ticks. A lone
 * 700-participant conference wakes its thread once per 20 ms frame: reading 700 datagrams
 * right before its tick started the tick 2.8 ms late at the median; read in tenths, they do not.
 */
const POLL_MS = 2;

/**
 * Runs conferences on one thread: the main thread (inline) or a media worker. It owns the
 * thread's single Scheduler and RTP port pool, executes commands between ticks, and posts
 * events after ticks. A conference is on the clock only while it has participants, so an
 * empty one costs nothing.
 */
export class MediaHost {
  readonly #post: (message: HostMessage) => void;
  /**
   * Conferences start at whole-ms offsets (20 for 20 ms frames): the thread's work spreads over
   * the frame in small wakes. Sharing two cores at 100 × 10, most runs right after this change
   * had tick p99 3.4-4.8 ms, the runs right before it (ten offsets 2 ms apart) 5.5-8 ms: a short
   * wake is rarely preempted, and one that is delays fewer conferences.
   */
  readonly #scheduler: Scheduler;
  readonly #conferences = new Map<string, ConferenceRuntime>();
  readonly #o: MediaHostOptions;
  readonly #pool: PortPool;
  readonly #policy: DestinationPolicy;
  readonly #histogram = new TickHistogram();
  readonly #departed = emptyTotals();
  readonly #batch = new UdpBatch();
  #batchLoggedAt = 0;
  readonly #receiver = new UdpReceiver();

  constructor(post: (message: HostMessage) => void, options: MediaHostOptions) {
    this.#post = post;
    this.#o = options;
    this.#scheduler = new Scheduler({ phases: 40, pollMs: POLL_MS, sleepUntil: options.preciseWakes === true ? sleepUntilMs : undefined });
    this.#pool = new PortPool(options.ports, options.config.bindAddress, options.config.portShare);
    this.#policy = new DestinationPolicy({
      ports: options.config.ports,
      ownAddresses: [options.config.advertisedAddress, options.config.bindAddress],
      reservedPorts: options.config.reservedPorts,
      deny: options.config.deny,
      allowMulticast: options.config.allowMulticast,
      allowLowPorts: options.config.allowLowPorts,
    });
    this.#receiver.onHandlerError = (err, count) => options.log.error({ err: String(err), count }, 'datagram handler threw');
    this.#scheduler.onBeforeTicks = () => this.#receiver.drain();
    this.#scheduler.onAfterTicks = () => {
      this.#flushBatch();
      for (const c of this.#conferences.values()) c.drainEvents();
    };
  }

  handle(message: RequestMessage): void {
    const handler = this.#handlers[message.command] as ((args: unknown) => unknown) | undefined;
    const reply = (result: unknown) => this.#post({ type: 'reply', id: message.id, ok: true, result: result ?? null });
    const fail = (err: unknown) => this.#post({ type: 'reply', id: message.id, ok: false, error: serializeError(err) });
    try {
      if (!handler) throw new InvalidArgumentError('command', `${String(message.command)} is not a host command`);
      const result = handler(message.args);
      if (result instanceof Promise) result.then(reply, fail);
      else reply(result);
    } catch (err) {
      fail(err);
    }
  }

  readonly #handlers: Handlers = {
    createConference: ({ conferenceId, options }) => {
      if (this.#conferences.has(conferenceId)) {
        throw new InvalidArgumentError('conferenceId', `${conferenceId} already exists`);
      }
      const emit = (event: ConferenceEvent) => {
        this.#post({ type: 'event', conferenceId, event });
        if (event.name === 'participant-left') this.#clock(conference);
      };
      const conference = new ConferenceRuntime(conferenceId, options, emit, undefined, this.#histogram);
      this.#conferences.set(conferenceId, conference);
      return null;
    },
    closeConference: ({ conferenceId, reason }) => {
      const c = this.#conferences.get(conferenceId);
      if (!c) return null;
      this.#scheduler.remove(c);
      c.close(reason);
      this.#conferences.delete(conferenceId);
      return null;
    },
    addParticipant: async ({ conferenceId, participantId, port, controls }) => {
      const c = this.#conference(conferenceId);
      const opened = await openPort(port, c.format, {
        rtp: () => this.#rtpConfig(c, participantId),
        webrtc: () => this.#webrtcConfig(c, participantId),
      });
      try {
        c.addParticipant(participantId, opened.port, controls);
      } catch (err) {
        opened.port.close();
        throw err;
      }
      this.#clock(c);
      return { state: c.state(participantId), sdp: opened.sdp };
    },
    answerParticipant: ({ conferenceId, participantId, sdp }) => {
      this.#endpoint(conferenceId, participantId).complete(sdp);
      return null;
    },
    reofferParticipant: ({ conferenceId, participantId, sdp }) => {
      const c = this.#conference(conferenceId);
      const { answerSdp, media } = this.#endpoint(conferenceId, participantId).reoffer(sdp);
      // The remote holding us (sendonly/inactive from its side) is a participant on hold.
      const held = media.direction === 'recvonly' || media.direction === 'inactive';
      const state = c.state(participantId).held === held ? c.state(participantId) : c.update(participantId, { held });
      return { sdp: answerSdp, state };
    },
    participantStats: ({ conferenceId, participantId }) => {
      const port = this.#conference(conferenceId).portOf(participantId);
      return { transport: transportStats(port) };
    },
    removeParticipant: ({ conferenceId, participantId, reason }) => {
      const c = this.#conference(conferenceId);
      c.removeParticipant(participantId, reason);
      this.#clock(c);
      return null;
    },
    updateParticipant: ({ conferenceId, participantId, patch }) =>
      this.#conference(conferenceId).update(participantId, patch),
    relate: ({ conferenceId, participantId, otherId, relation }) => {
      this.#conference(conferenceId).relate(participantId, otherId, relation);
      return null;
    },
    coach: ({ conferenceId, participantId, coachee }) => {
      this.#conference(conferenceId).coach(participantId, coachee);
      return null;
    },
    setInjection: ({ conferenceId, participantId, source }) => {
      const c = this.#conference(conferenceId);
      c.setInjection(participantId, source ? openSource(source, c.format) : null);
      return null;
    },
    participants: ({ conferenceId }) => this.#conference(conferenceId).participants(),
    conferenceStats: ({ conferenceId }) => {
      const c = this.#conference(conferenceId);
      return { conferenceId, participants: c.size, ...c.stats.toJSON(), sharedEncoding: { ...c.sharedEncodings.stats } };
    },
    hostStats: () => ({
      conferences: this.#conferences.size,
      participants: [...this.#conferences.values()].reduce((n, c) => n + c.size, 0),
      scheduler: { ...this.#scheduler.stats(), latenessSince: this.#scheduler.latenessSince() },
      receiver: this.#receiver.stats,
    }),
    metrics: () => {
      const transports = addTotals(emptyTotals(), this.#departed);
      let participants = 0;
      for (const c of this.#conferences.values()) {
        participants += c.size;
        for (const port of c.ports()) {
          const stats = transportStats(port);
          if (stats) addTransport(transports, stats);
        }
      }
      if (this.#batch.stats.errors > 0) transports.drops['send-failed'] = this.#batch.stats.errors;
      const received = this.#receiver.stats;
      if (received.errors > 0) transports.drops['receive-failed'] = received.errors;
      if (received.handlerErrors > 0) transports.drops['handler-failed'] = received.handlerErrors;
      const h = this.#histogram;
      return {
        conferences: this.#conferences.size,
        participants,
        transports,
        tick: { counts: [...h.counts], sumMs: h.sumMs, count: h.count },
        rtpPorts: this.#pool.stats,
        latenessP99Ms: this.#scheduler.stats().lateness.p99,
      };
    },
    stall: ({ ms }) => {
      if (!(ms >= 0 && ms <= 5000)) throw new InvalidArgumentError('ms', 'must be from 0 to 5000');
      const until = performance.now() + ms;
      while (performance.now() < until);
      return null;
    },
    shutdown: () => {
      for (const id of [...this.#conferences.keys()]) {
        this.#handlers.closeConference({ conferenceId: id, reason: 'engine-closed' });
      }
      this.#scheduler.close();
      this.#receiver.close();
      return null;
    },
  };

  #conference(id: string): ConferenceRuntime {
    const c = this.#conferences.get(id);
    if (!c) throw new NotFoundError('conference', id);
    return c;
  }

  #endpoint(conferenceId: string, participantId: number): RtpEndpoint {
    const port = this.#conference(conferenceId).portOf(participantId);
    if (!(port instanceof RtpEndpoint)) throw new InvalidStateError(`participant ${participantId} does not use RTP`);
    return port;
  }

  #rtpConfig(c: ConferenceRuntime, participantId: number): RtpEndpointConfig {
    const { config, log } = this.#o;
    return {
      pool: this.#pool,
      advertisedAddress: config.advertisedAddress,
      format: c.format,
      opus: c.options.opus,
      latching: config.latching,
      mediaTimeoutMs: config.mediaTimeoutMs,
      holdTimeoutMs: config.holdTimeoutMs,
      consentMs: config.consentMs,
      consentEarlyMs: config.consentEarlyMs,
      policy: this.#policy,
      tenant: c.options.tenant,
      rtcpIntervalMs: config.rtcpIntervalMs,
      log,
      context: { conferenceId: c.id, participantId },
      totals: this.#departed,
      shared: c.sharedEncodings,
      batch: this.#batch,
      receiver: this.#receiver,
    };
  }

  #webrtcConfig(c: ConferenceRuntime, participantId: number): WebRtcConfig {
    const { config, log } = this.#o;
    return {
      format: c.format,
      opus: c.options.opus,
      iceAddresses: [config.advertisedAddress],
      mediaTimeoutMs: config.mediaTimeoutMs,
      log,
      context: { conferenceId: c.id, participantId },
      totals: this.#departed,
      shared: c.sharedEncodings,
    };
  }

  /** Sends the ticks' packets; refused datagrams are counted (metrics) and logged now and then. */
  #flushBatch(): void {
    const before = this.#batch.stats.errors;
    this.#batch.flush();
    const failed = this.#batch.stats.errors - before;
    const now = Date.now();
    if (failed > 0 && now - this.#batchLoggedAt >= 10_000) {
      this.#batchLoggedAt = now;
      this.#o.log.warn({ failed, total: this.#batch.stats.errors, errno: this.#batch.stats.lastErrno }, 'RTP sends refused by the kernel');
    }
  }

  /** Puts a conference on the clock while it has participants, and takes it off when empty. */
  #clock(c: ConferenceRuntime): void {
    if (c.size > 0 && !c.closed) this.#scheduler.add(c);
    else this.#scheduler.remove(c);
  }
}

/**
 * A network port's transport figures; null for in-memory ports. Duck-typed so that this module
 * does not import the WebRTC transport (and werift with it) before anyone uses WebRTC.
 */
function transportStats(port: unknown): TransportStats | null {
  const stats = (port as { stats?: unknown }).stats;
  return typeof stats === 'function' ? ((stats.call(port) as TransportStats | null) ?? null) : null;
}
