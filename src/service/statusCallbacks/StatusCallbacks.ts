// SignalWire/Twilio conference status callbacks (seed 004) for conference documents that carry
// `status_callback: {url, method, events[]}`. notify() only queues; delivery runs in the
// background, one request at a time per conference (FIFO), so a slow or dead endpoint holds
// back its own conference's callbacks and nothing else: not the mix, not other conferences.
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { AddressPolicy } from '../../net/addressPolicy.js';
import type { Logger } from '../../util/logger.js';
import type { ConferenceEventOut } from '../EventSink.js';
import { attempt, type CallbackRequest } from './httpAttempt.js';
import { recordingParams, recordingStatus, RECORDING_STATUS_EVENTS } from './recordingCallbacks.js';
import {
  callbackRequest,
  parseCallback,
  parseCallbackUrl,
  parseStatusCallback,
  remember,
  twilioEventName,
  twilioParams,
  type ConferenceMemo,
  type ParsedStatusCallback,
  type StatusCallbackEvent,
} from './twilioParams.js';

export interface StatusCallbacksOptions {
  log: Logger;
  /** Per request, from sending to the response headers (and a bounded body read). Default 5000. */
  timeoutMs?: number;
  /** Tries per callback, the first included. Default 4: one try and three retries. */
  maxAttempts?: number;
  /** Wait before the first retry, doubling for each further one (500 → 0.5 s, 1 s, 2 s). Default 500. */
  backoffMs?: number;
  /** Callbacks waiting or in flight for one conference; more are dropped. Default 500. */
  maxQueuePerConference?: number;
  /** Callbacks waiting or in flight overall; more are dropped. Default 10 000. */
  maxQueued?: number;
  /** close() lets queued callbacks go out for this long before it aborts the rest. Default 1000. */
  closeGraceMs?: number;
  /** Clock of the Timestamp parameter (tests). */
  now?: () => number;
  /**
   * CIDR ranges a callback URL may reach although they are refused by default (loopback,
   * private, link-local... see src/net/addressPolicy.ts). Default: none, only public addresses.
   */
  fetchAllow?: readonly string[];
  /** Where clients reach this server, for the RecordingUrl of recording callbacks (no trailing /). */
  publicUrl?: string;
}

interface Job extends CallbackRequest {
  /** The status callback event, the recording status, or 'event-callback'. */
  event: string;
  sequence: number;
}

/** One conference's callbacks: its FIFO, its SequenceNumber, what it has logged. */
interface ConferenceQueue extends ConferenceMemo {
  key: string;
  accountId: string;
  conferenceId: string;
  sequence: number;
  jobs: Job[];
  running: boolean;
  ended: boolean;
  dropLogged: boolean;
  invalidLogged: boolean;
}

const CLOSE_ABORT_WAIT_MS = 1000;

export class StatusCallbacks {
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;
  readonly #maxPerConference: number;
  readonly #maxQueued: number;
  readonly #closeGraceMs: number;
  readonly #now: () => number;
  readonly #policy: AddressPolicy;
  readonly #publicUrl: string;
  readonly #queues = new Map<string, ConferenceQueue>();
  readonly #abort = new AbortController();
  #idleWaiters: (() => void)[] = [];
  #queued = 0;
  #running = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #stats = { sent: 0, failed: 0, dropped: 0, retried: 0, invalid: 0 };

  constructor(options: StatusCallbacksOptions) {
    this.#log = options.log;
    this.#timeoutMs = positive(options.timeoutMs, 5000);
    this.#maxAttempts = Math.max(1, Math.floor(positive(options.maxAttempts, 4)));
    this.#backoffMs = options.backoffMs ?? 500;
    this.#maxPerConference = positive(options.maxQueuePerConference, 500);
    this.#maxQueued = positive(options.maxQueued, 10_000);
    this.#closeGraceMs = options.closeGraceMs ?? 1000;
    this.#now = options.now ?? Date.now;
    this.#policy = new AddressPolicy(options.fetchAllow, 'fetchAllow');
    this.#publicUrl = options.publicUrl ?? '';
    setMaxListeners(0, this.#abort.signal); // every request in flight and every backoff listens to it
  }

  /** Callbacks answered with 2xx. */
  get sent(): number { return this.#stats.sent; }
  /** Callbacks given up: a 4xx, or every attempt failed. */
  get failed(): number { return this.#stats.failed; }
  /** Callbacks never sent: a full queue, or still queued at close(). */
  get dropped(): number { return this.#stats.dropped; }
  /** Retries made (attempts after the first). */
  get retried(): number { return this.#stats.retried; }
  /** Events skipped because the document's status_callback is invalid (not http(s), too long...). */
  get invalid(): number { return this.#stats.invalid; }
  /** Callbacks waiting or in flight. */
  get pending(): number { return this.#queued; }

  /**
   * Queues the callback of one conference event when the document asks for it. Synchronous,
   * never throws, never waits: the request goes out later, after the caller has returned.
   */
  notify(doc: Record<string, unknown>, event: ConferenceEventOut): void {
    if (this.#closed) return;
    try {
      const key = `${event.accountId}/${event.conferenceId}`;
      const config = parseStatusCallback(doc.status_callback);
      const others = this.#otherCallbacks(doc, event);
      let q = this.#queues.get(key);
      if (!q && config === undefined && others.length === 0) return;
      // A recording completes after its conference may have ended: its queue ends with it.
      const after = !q && event.name === 'record-complete';
      q ??= this.#open(key, event);
      if (event.name === 'conference-create') Object.assign(q, { sequence: 0, ended: false });
      const name = twilioEventName(event.name);
      if (name && config) this.#callback(q, doc, event, name, config);
      for (const other of others) {
        if ('error' in other) this.#invalid(q, other.error);
        else this.#enqueue(q, { ...other.request(q), sequence: q.sequence });
      }
      remember(q, event);
      if (event.name === 'conference-destroy' || after) {
        q.ended = true;
        this.#forgetIfDone(q);
      }
    } catch (err) {
      this.#log.error({ err: String(err), event: event.name }, 'status callback not queued');
    }
  }

  /**
   * Stops taking events, lets what is queued go out for closeGraceMs (conference-end of the
   * conferences that shutdown just ended), then aborts requests and backoff waits and drops the rest.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      if (this.#closeGraceMs > 0) await this.#idle(this.#closeGraceMs);
      this.#abort.abort(new Error('status callbacks closed'));
      await this.#idle(CLOSE_ABORT_WAIT_MS);
    })();
    return this.#closing;
  }

  /**
   * The document's other callbacks this event triggers: recordingStatusCallback (recording
   * started, complete) and eventCallbackUrl (a POST when the conference ends).
   */
  #otherCallbacks(doc: Record<string, unknown>, event: ConferenceEventOut): ({ request: (q: ConferenceQueue) => Job } | { error: string })[] {
    const out: ({ request: (q: ConferenceQueue) => Job } | { error: string })[] = [];
    const status = recordingStatus(event);
    const recording = status && parseCallback(doc.recording_status_callback, 'recording_status_callback', RECORDING_STATUS_EVENTS);
    if (status && recording) {
      if ('error' in recording) out.push(recording);
      else if (recording.events ? recording.events.has(status) : status !== 'in-progress') {
        const params = recordingParams(event, status, this.#publicUrl, this.#now());
        out.push({ request: (q) => ({ ...callbackRequest(recording.url, recording.method, params), event: status, sequence: q.sequence }) });
      }
    }
    if (event.name === 'conference-destroy' && doc.event_callback_url !== undefined) {
      const url = parseCallbackUrl(doc.event_callback_url, 'event_callback_url');
      if ('error' in url) out.push(url);
      else {
        out.push({
          request: (q) => {
            const params = twilioParams(doc, event, 'conference-end', q.sequence, this.#now(), q);
            return { ...callbackRequest(url.href, 'POST', params), event: 'event-callback', sequence: q.sequence };
          },
        });
      }
    }
    return out;
  }

  #invalid(q: ConferenceQueue, error: string): void {
    this.#stats.invalid++;
    if (!q.invalidLogged) this.#log.warn({ accountId: q.accountId, conferenceId: q.conferenceId, error }, 'status callbacks skipped');
    q.invalidLogged = true;
  }

  #callback(q: ConferenceQueue, doc: Record<string, unknown>, event: ConferenceEventOut, name: StatusCallbackEvent, config: ParsedStatusCallback): void {
    if ('error' in config) {
      this.#invalid(q, config.error);
    } else if (!config.events || config.events.has(name)) {
      const params = twilioParams(doc, event, name, ++q.sequence, this.#now(), q);
      this.#enqueue(q, { ...callbackRequest(config.url, config.method, params), event: name, sequence: q.sequence });
    }
  }

  #open(key: string, event: ConferenceEventOut): ConferenceQueue {
    const base = { key, accountId: event.accountId, conferenceId: event.conferenceId, sequence: 0, jobs: [] };
    const q: ConferenceQueue = { ...base, running: false, ended: false, dropLogged: false, invalidLogged: false };
    this.#queues.set(key, q);
    return q;
  }

  #enqueue(q: ConferenceQueue, job: Job): void {
    if (q.jobs.length >= this.#maxPerConference || this.#queued >= this.#maxQueued) {
      this.#stats.dropped++;
      if (!q.dropLogged) {
        const perConference = q.jobs.length >= this.#maxPerConference;
        this.#log.warn(
          { accountId: q.accountId, conferenceId: q.conferenceId, limit: perConference ? this.#maxPerConference : this.#maxQueued, perConference },
          'status callback queue full: dropping callbacks',
        );
        q.dropLogged = true;
      }
      return;
    }
    q.jobs.push(job);
    this.#queued++;
    if (q.running) return;
    q.running = true;
    this.#running++;
    // Not even fetch's synchronous set-up runs inside notify().
    setImmediate(() => void this.#pump(q));
  }

  async #pump(q: ConferenceQueue): Promise<void> {
    while (q.jobs.length > 0 && !this.#abort.signal.aborted) {
      const job = q.jobs[0]!;
      try {
        await this.#deliver(q, job);
      } catch (err) {
        this.#stats.failed++;
        this.#log.error({ err: String(err), conferenceId: q.conferenceId, event: job.event }, 'status callback delivery failed');
      }
      if (this.#abort.signal.aborted) break; // the job in flight is dropped with the rest
      q.jobs.shift();
      this.#queued--;
    }
    if (q.jobs.length > 0) {
      this.#stats.dropped += q.jobs.length;
      this.#queued -= q.jobs.length;
      q.jobs.length = 0;
    }
    q.running = false;
    this.#running--;
    this.#forgetIfDone(q);
    if (this.#running === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }

  async #deliver(q: ConferenceQueue, job: Job): Promise<void> {
    for (let n = 1; ; n++) {
      const r = await attempt(job, this.#timeoutMs, this.#abort.signal, { policy: this.#policy });
      if (this.#abort.signal.aborted) return;
      if (r.ok) {
        this.#stats.sent++;
        return;
      }
      if (!r.retry || n >= this.#maxAttempts) {
        this.#stats.failed++;
        this.#log.warn(
          { accountId: q.accountId, conferenceId: q.conferenceId, event: job.event, sequence: job.sequence, attempts: n, error: r.error },
          'status callback failed',
        );
        return;
      }
      this.#stats.retried++;
      await delay(this.#backoffMs * 2 ** (n - 1), undefined, { signal: this.#abort.signal }).catch(() => {});
      if (this.#abort.signal.aborted) return;
    }
  }

  /** Resolves when no conference has callbacks left to send, or after ms. */
  #idle(ms: number): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.#idleWaiters.push(() => (clearTimeout(timer), resolve()));
    });
  }

  /** A conference that ended and has nothing left to send is forgotten (its SequenceNumber too). */
  #forgetIfDone(q: ConferenceQueue): void {
    if (q.ended && !q.running && q.jobs.length === 0 && this.#queues.get(q.key) === q) this.#queues.delete(q.key);
  }
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
