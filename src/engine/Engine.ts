import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolveConferenceOptions } from '../conference/ConferenceOptions.js';
import { InvalidArgumentError, InvalidStateError } from '../errors.js';
import { HostClient } from '../host/HostClient.js';
import { resolveMediaConfig, type MediaConfig } from '../host/MediaConfig.js';
import { splitPortRange } from '../transports/PortPool.js';
import { silentLogger, stderrLogger } from '../util/logger.js';
import { InlineChannel } from '../host/InlineChannel.js';
import type { EventMessage, HostStats } from '../host/protocol.js';
import type { HostMetrics } from '../host/MediaMetrics.js';
import { WorkerChannel } from '../host/WorkerChannel.js';
import { TypedEmitter } from '../util/TypedEmitter.js';
import { Conference } from './Conference.js';
import type { CreateConferenceOptions, EngineEvents, EngineOptions } from './EngineTypes.js';

const MAX_WORKERS = 64;

/**
 * The entry point: places conferences on media hosts (worker threads, or this thread when
 * `workers` is 0) and hands back Conference objects that behave the same either way.
 * close() is idempotent and closes every conference.
 */
export class Engine extends TypedEmitter<EngineEvents> {
  readonly workers: number;
  readonly media: MediaConfig;
  readonly #hosts: HostClient[] = [];
  readonly #conferences = new Map<string, Conference>();
  readonly #placement = new Map<string, HostClient>();
  #closed = false;

  constructor(opts: EngineOptions = {}) {
    super();
    const workers = opts.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS) {
      throw new InvalidArgumentError('workers', `must be an integer from 0 to ${MAX_WORKERS}`);
    }
    this.workers = workers;
    this.media = resolveMediaConfig(opts.media);
    const logging = opts.logging ?? 'stderr';
    const ranges = splitPortRange(this.media.ports, Math.max(1, workers));
    const onEvent = (m: EventMessage) => this.#conferences.get(m.conferenceId)?._dispatch(m.event);
    if (workers === 0) {
      const log = logging === 'silent' ? silentLogger : stderrLogger;
      this.#hosts.push(new HostClient(new InlineChannel({ config: this.media, ports: ranges[0], log }), onEvent));
    }
    for (let i = 0; i < workers; i++) {
      const host = new HostClient(new WorkerChannel(i, { config: this.media, ports: ranges[i], logging }), onEvent);
      host.channel.onFailure((error) => this.emit('host-failed', error));
      this.#hosts.push(host);
    }
  }

  get conferences(): Conference[] {
    return [...this.#conferences.values()];
  }

  conference(id: string): Conference | undefined {
    return this.#conferences.get(id);
  }

  async createConference(opts: CreateConferenceOptions = {}): Promise<Conference> {
    if (this.#closed) throw new InvalidStateError('engine is closed');
    const { id = randomUUID(), ...rest } = opts;
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) {
      throw new InvalidArgumentError('id', 'must be a string of 1 to 128 characters');
    }
    if (this.#conferences.has(id)) throw new InvalidArgumentError('id', `${id} already exists`);
    const options = resolveConferenceOptions(rest);
    const host = this.#leastLoaded();
    const conference = new Conference(host, id, options, () => {
      this.#conferences.delete(id);
      this.#placement.delete(id);
      host.conferences--;
      this.emit('conference-closed', id);
    });
    this.#conferences.set(id, conference);
    this.#placement.set(id, host);
    host.conferences++;
    try {
      await host.request('createConference', { conferenceId: id, options });
    } catch (err) {
      this.#conferences.delete(id);
      this.#placement.delete(id);
      host.conferences--;
      throw err;
    }
    this.emit('conference-created', id);
    return conference;
  }

  /** Clock and load figures of every media host. */
  hostStats(): Promise<HostStats[]> {
    return Promise.all(this.#hosts.map((h) => h.request('hostStats', {})));
  }

  /** Counters and histograms of every media host, for /metrics. */
  metrics(): Promise<HostMetrics[]> {
    return Promise.all(this.#hosts.map((h) => h.request('metrics', {})));
  }

  /** Blocks the media thread that holds `conferenceId` for `ms` (a clock diagnostic). */
  async stall(conferenceId: string, ms: number): Promise<void> {
    const host = this.#placement.get(conferenceId);
    if (!host) throw new InvalidArgumentError('conferenceId', 'is not a conference of this engine');
    await host.request('stall', { ms });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.conferences.map((c) => c.close('engine-closed')));
    await Promise.allSettled(this.#hosts.map((h) => h.request('shutdown', {})));
    await Promise.all(this.#hosts.map((h) => h.channel.terminate()));
    this.removeAllListeners();
  }

  #leastLoaded(): HostClient {
    let best = this.#hosts[0];
    for (const h of this.#hosts) {
      if (h.participants < best.participants || (h.participants === best.participants && h.conferences < best.conferences)) {
        best = h;
      }
    }
    return best;
  }
}
