import type { Engine } from '../engine/Engine.js';
import { NotFoundError } from '../errors.js';
import type { ConferenceService } from '../service/ConferenceService.js';
import type { ConferenceDocument } from '../service/ServiceTypes.js';
import type { MediaStore } from '../media/store/MediaStore.js';
import type { Store } from '../store/Store.js';
import type { Tokens } from '../store/Tokens.js';
import type { Logger } from '../util/logger.js';
import type { Metrics } from './metrics/Metrics.js';
import { FailureLimiter } from '../util/FailureLimiter.js';
import type { RateLimiter } from '../util/RateLimiter.js';
import type { DocumentQuotas } from './quotas.js';
import type { EventFilter } from '../service/eventFilter.js';

/** What the API's routes and commands work with. */
export interface App {
  store: Store;
  tokens: Tokens;
  engine: Engine;
  service: ConferenceService;
  metrics: Metrics;
  media: MediaStore;
  log: Logger;
  /** Ad-hoc conferences (created by a join carrying `config`): live only, never stored. */
  adhoc: Map<string, ConferenceDocument>;
  /** What one account may store through the API. */
  quotas: DocumentQuotas;
  /** Authenticated requests, per auth token. */
  requestsPerToken: RateLimiter;
  /** Which participant events each account's websocket subscribers get (publish_participant_event). */
  events: EventFilter;
  /** Wrong API keys at `PUT /v2/api_auth`, counted per source address and per key. */
  authFailures: { bySource: FailureLimiter; byKey: FailureLimiter };
}

/** The api_auth limits: `perMinute` wrong keys per source address, and per key, in any minute. */
export function authFailureLimits(perMinute: number): App['authFailures'] {
  return {
    bySource: new FailureLimiter('failed logins from this address', { max: perMinute, windowMs: 60_000 }),
    byKey: new FailureLimiter('failed logins with this key', { max: perMinute, windowMs: 60_000 }),
  };
}

/** The account a request names, if the caller may act on it; otherwise 404, so existence does not leak. */
export function accountFor(app: App, actorId: string, accountId: string): string {
  if (!app.store.account(accountId) || !app.store.canActOn(actorId, accountId)) throw new NotFoundError('account', accountId);
  return accountId;
}

/** A stored conference document, or a live ad-hoc one. */
export function conferenceFor(app: App, accountId: string, id: string): ConferenceDocument {
  const doc = app.store.conference(accountId, id) ?? app.adhoc.get(`${accountId}/${id}`);
  if (!doc) throw new NotFoundError('conference', id);
  return doc;
}

/** The account and conference a request names, both checked. */
export function scopeOf(app: App, actorId: string, params: Record<string, string>): { accountId: string; doc: ConferenceDocument } {
  const accountId = accountFor(app, actorId, params.A);
  return { accountId, doc: conferenceFor(app, accountId, params.C) };
}

/** `_read_only`: live figures, or zeros when nobody is in the conference. */
export async function readOnlyOf(app: App, accountId: string, doc: ConferenceDocument): Promise<Record<string, unknown> & { participants: unknown[] }> {
  const live = app.service.live(accountId, doc.id);
  const locked = app.service.isLocked(accountId, doc.id);
  if (live) return (await live.readOnly(locked)) as Record<string, unknown> & { participants: unknown[] };
  return { members: 0, admins: 0, duration: 0, is_locked: locked, participants: [] };
}
