import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Engine } from '../../engine/Engine.js';
import type { HostMetrics } from '../../host/MediaMetrics.js';
import { TICK_BUCKETS_MS } from '../../conference/TickHistogram.js';
import { addTotals, emptyTotals } from '../../transports/TransportTotals.js';
import type { SipStats } from '../../sip/SipCounters.js';

/**
 * GET /metrics: process metrics plus what the media hosts count. Host counters are monotonic
 * totals; at each scrape the Prometheus counters advance by the difference.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #engine: Engine;
  readonly #participants = new Gauge({ name: 'roomtone_participants', help: 'Participants in conferences', registers: [this.registry] });
  readonly #conferences = new Gauge({ name: 'roomtone_conferences', help: 'Running conferences', registers: [this.registry] });
  readonly #packets = new Counter({ name: 'roomtone_packets_total', help: 'RTP packets by direction', labelNames: ['direction'], registers: [this.registry] });
  readonly #forwarded = new Counter({ name: 'roomtone_packets_forwarded_total', help: "Outgoing packets that were a participant's own Opus packet, sent without encoding", registers: [this.registry] });
  readonly #withheld = new Counter({ name: 'roomtone_frames_withheld_total', help: 'Outgoing frames not sent: the peer had not shown itself within the consent period', registers: [this.registry] });
  readonly #portPairs = new Gauge({ name: 'roomtone_rtp_port_pairs', help: 'RTP port pairs (RTP even, RTCP odd) of the media threads by state', labelNames: ['state'], registers: [this.registry] });
  readonly #dropped = new Counter({ name: 'roomtone_packets_dropped_total', help: 'Dropped incoming packets by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly #codecSeconds = new Counter({ name: 'roomtone_codec_seconds_total', help: 'Time spent encoding and decoding', labelNames: ['operation'], registers: [this.registry] });
  readonly #lateness = new Gauge({ name: 'roomtone_tick_lateness_p99_seconds', help: 'p99 tick lateness of the most late media thread', registers: [this.registry] });
  readonly #http = new Counter({ name: 'roomtone_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'status'], registers: [this.registry] });
  readonly #sipDialogs = new Gauge({ name: 'roomtone_sip_dialogs', help: 'SIP calls in progress (dialogs, and calls out still ringing)', registers: [this.registry] });
  readonly #sipTransactions = new Gauge({ name: 'roomtone_sip_transactions', help: 'SIP transactions awaiting their final response', registers: [this.registry] });
  readonly #sipMessages = new Counter({ name: 'roomtone_sip_messages_total', help: 'SIP messages taken, by kind', labelNames: ['kind'], registers: [this.registry] });
  readonly #sipDropped = new Counter({ name: 'roomtone_sip_dropped_total', help: 'SIP messages dropped, by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly #sipResponses = new Counter({ name: 'roomtone_sip_responses_total', help: 'SIP responses sent, by status code', labelNames: ['code'], registers: [this.registry] });
  readonly #seen = new Map<string, number>();
  /** The SIP door's figures, when it is on. */
  sip: (() => SipStats) | undefined;

  constructor(engine: Engine) {
    this.#engine = engine;
    collectDefaultMetrics({ register: this.registry, prefix: 'roomtone_' });
  }

  httpRequest(method: string, status: number): void {
    this.#http.inc({ method, status: String(status) });
  }

  async text(): Promise<string> {
    const hosts = await this.#engine.metrics();
    const t = hosts.reduce((acc, h) => addTotals(acc, h.transports), emptyTotals());
    this.#participants.set(hosts.reduce((n, h) => n + h.participants, 0));
    this.#conferences.set(hosts.reduce((n, h) => n + h.conferences, 0));
    this.#lateness.set(Math.max(0, ...hosts.map((h) => h.latenessP99Ms)) / 1000);
    this.#advance(this.#packets, { direction: 'in' }, t.packetsIn);
    this.#advance(this.#packets, { direction: 'out' }, t.packetsOut);
    this.#advance(this.#forwarded, {}, t.packetsForwarded);
    this.#advance(this.#withheld, {}, t.framesWithheld);
    const pairs = hosts.reduce((n, h) => n + h.rtpPorts.pairs, 0);
    const inUse = hosts.reduce((n, h) => n + h.rtpPorts.inUse, 0);
    const cooling = hosts.reduce((n, h) => n + h.rtpPorts.cooling, 0);
    this.#portPairs.set({ state: 'in_use' }, inUse);
    this.#portPairs.set({ state: 'cooling' }, cooling);
    this.#portPairs.set({ state: 'free' }, pairs - inUse - cooling);
    for (const [reason, n] of Object.entries(t.drops)) this.#advance(this.#dropped, { reason }, n);
    this.#advance(this.#codecSeconds, { operation: 'decode' }, t.decodeMs / 1000);
    this.#advance(this.#codecSeconds, { operation: 'encode' }, t.encodeMs / 1000);
    if (this.sip) this.#sipFigures(this.sip());
    return (await this.registry.metrics()) + tickHistogram(hosts);
  }

  #sipFigures(s: SipStats): void {
    this.#sipDialogs.set(s.dialogs);
    this.#sipTransactions.set(s.transactions);
    for (const [kind, n] of Object.entries(s.messages)) this.#advance(this.#sipMessages, { kind }, n);
    for (const [reason, n] of Object.entries(s.dropped)) this.#advance(this.#sipDropped, { reason }, n ?? 0);
    for (const [code, n] of Object.entries(s.responses)) this.#advance(this.#sipResponses, { code }, n);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #advance<L extends string>(counter: Counter<L>, labels: Record<L, string>, total: number): void {
    const key = `${(counter as unknown as { name: string }).name}${JSON.stringify(labels)}`;
    const delta = total - (this.#seen.get(key) ?? 0);
    if (delta > 0) counter.inc(labels as Partial<Record<L, string>>, delta);
    this.#seen.set(key, Math.max(total, this.#seen.get(key) ?? 0));
  }
}

/** The hosts' tick-duration buckets in Prometheus histogram text. */
function tickHistogram(hosts: HostMetrics[]): string {
  const name = 'roomtone_tick_duration_seconds';
  const counts = new Array<number>(TICK_BUCKETS_MS.length + 1).fill(0);
  let sum = 0;
  let count = 0;
  for (const h of hosts) {
    h.tick.counts.forEach((c, i) => (counts[i] += c));
    sum += h.tick.sumMs / 1000;
    count += h.tick.count;
  }
  const lines = [`# HELP ${name} Time to run one conference tick`, `# TYPE ${name} histogram`];
  let cumulative = 0;
  TICK_BUCKETS_MS.forEach((le, i) => {
    cumulative += counts[i];
    lines.push(`${name}_bucket{le="${le / 1000}"} ${cumulative}`);
  });
  lines.push(`${name}_bucket{le="+Inf"} ${count}`, `${name}_sum ${sum}`, `${name}_count ${count}`);
  return lines.join('\n') + '\n';
}
