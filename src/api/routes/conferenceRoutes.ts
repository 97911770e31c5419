import { ConflictError, NotFoundError } from '../../errors.js';
import { checkConferenceCount, checkDocumentSize } from '../quotas.js';
import { pageEnvelope, pageOf } from '../http/pagination.js';
import type { ConferenceDocument } from '../../service/ServiceTypes.js';
import { accountFor, readOnlyOf, scopeOf, type App } from '../App.js';
import { actionRoute } from '../http/actionRoute.js';
import { checkData } from '../http/checkBody.js';
import type { Route } from '../http/Route.js';
import { conferenceSchema } from '../schema/conference.js';
import { s } from '../schema/Schema.js';

const docBody = s.object({ data: conferenceSchema }, { required: ['data'] });

function summary(app: App, accountId: string, doc: ConferenceDocument) {
  const live = app.service.live(accountId, doc.id);
  const locked = app.service.isLocked(accountId, doc.id);
  return live ? live.summary(locked) : { members: 0, admins: 0, duration: 0, is_locked: locked };
}

/** Kazoo keeps `_` and `pvt_` keys for itself: a client cannot store them. */
function clientFields(doc: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([k]) => k !== 'id' && !k.startsWith('_') && !k.startsWith('pvt_')));
}

/** Deep merge for PATCH: objects merge key by key, everything else is replaced. */
function merge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k];
    const mergeable = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = mergeable(b) && mergeable(v) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export const conferenceRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v2/accounts/{A}/conferences',
    summary: 'List conferences with members, admins, duration and is_locked',
    auth: true,
    handle: async (ctx, app) => {
      const a = accountFor(app, ctx.actorId, ctx.params.A);
      const page = pageOf(ctx.query);
      if (page === null) return { data: app.store.listConferences(a).map((doc) => ({ ...doc, ...summary(app, a, doc) })) };
      const { docs, nextStartKey } = app.store.conferencePage(a, page.startKey, page.pageSize);
      return { data: docs.map((doc) => ({ ...doc, ...summary(app, a, doc) })), envelope: pageEnvelope(page, docs.length, nextStartKey) };
    },
  },
  {
    method: 'PUT',
    path: '/v2/accounts/{A}/conferences',
    summary: 'Create a conference',
    auth: true,
    body: docBody,
    handle: async (ctx, app) => {
      const a = accountFor(app, ctx.actorId, ctx.params.A);
      const data = clientFields(checkData<Record<string, unknown>>(conferenceSchema, ctx.body));
      checkDocumentSize(data, app.quotas);
      checkConferenceCount(app.store, a, app.quotas);
      return { status: 201, data: app.store.createConference(a, data) };
    },
  },
  {
    method: 'GET',
    path: '/v2/accounts/{A}/conferences/{C}',
    summary: 'A conference document with its realtime _read_only state',
    auth: true,
    handle: async (ctx, app) => {
      const { accountId, doc } = scopeOf(app, ctx.actorId, ctx.params);
      return { data: { ...doc, _read_only: await readOnlyOf(app, accountId, doc) } };
    },
  },
  {
    method: 'POST',
    path: '/v2/accounts/{A}/conferences/{C}',
    summary: 'Replace a conference document',
    auth: true,
    body: docBody,
    handle: async (ctx, app) => {
      const a = accountFor(app, ctx.actorId, ctx.params.A);
      const data = clientFields(checkData<Record<string, unknown>>(conferenceSchema, ctx.body));
      checkDocumentSize(data, app.quotas);
      const doc = app.store.replaceConference(a, ctx.params.C, data);
      if (!doc) throw new NotFoundError('conference', ctx.params.C);
      return { data: doc };
    },
  },
  {
    method: 'PATCH',
    path: '/v2/accounts/{A}/conferences/{C}',
    summary: 'Merge fields into a conference document',
    auth: true,
    body: s.object({ data: s.object({}) }, { required: ['data'] }),
    handle: async (ctx, app) => {
      const a = accountFor(app, ctx.actorId, ctx.params.A);
      const current = app.store.conference(a, ctx.params.C);
      if (!current) throw new NotFoundError('conference', ctx.params.C);
      const patch = checkData<Record<string, unknown>>(s.object({}), ctx.body);
      const { id: _id, ...base } = current;
      const data = clientFields(checkData<Record<string, unknown>>(conferenceSchema, { data: merge(base, patch) }));
      checkDocumentSize(data, app.quotas);
      return { data: app.store.replaceConference(a, ctx.params.C, data) };
    },
  },
  {
    method: 'DELETE',
    path: '/v2/accounts/{A}/conferences/{C}',
    summary: 'Delete a conference (with participants only with ?force=true, which ends it for them)',
    auth: true,
    handle: async (ctx, app) => {
      const { accountId: a, doc } = scopeOf(app, ctx.actorId, ctx.params);
      const live = app.service.live(a, doc.id);
      if (live && live.members.size > 0) {
        if (ctx.query.get('force') !== 'true') throw new ConflictError('the conference has participants: delete with ?force=true to end it');
        await app.service.end(a, doc.id, 'deleted');
      }
      app.store.deleteConference(a, doc.id);
      app.adhoc.delete(`${a}/${doc.id}`);
      app.service.forget(a, doc.id);
      return { data: { id: doc.id, _deleted: true } };
    },
  },
  actionRoute('conference', '/v2/accounts/{A}/conferences/{C}'),
];
