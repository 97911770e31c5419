import Type from 'typebox';
import { ConflictError, NotFoundError } from '../../errors.js';
import { pins } from '../../service/conferenceOptions.js';
import { ConferenceDocument } from '../../service/schema/conferenceDocument.js';
import { validated } from '../../service/schema/validator.js';
import type { ConferenceDocument as StoredDocument } from '../../service/ServiceTypes.js';
import { accountFor, readOnlyOf, scopeOf, type App } from '../App.js';
import type { Api } from '../http/Api.js';
import { ok, Wrapped } from '../http/envelope.js';
import { pageEnvelope, pageOf, PageQuery } from '../http/pagination.js';
import { checkNumbersFree } from '../conferenceNumbers.js';
import { checkConferenceCount, checkDocumentSize } from '../quotas.js';
import { actionRoute } from './actionRoute.js';
import { AccountParams, ConferenceParams } from './params.js';

const DocumentBody = Wrapped(ConferenceDocument);

function summary(app: App, accountId: string, doc: StoredDocument) {
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

/** One room of XiVO's getConferenceRooms (seed 002): times in Unix ms, members in join order. */
function xivoRoom(app: App, accountId: string, doc: StoredDocument): Record<string, unknown> {
  const live = app.service.live(accountId, doc.id);
  const numbers = Array.isArray(doc.conference_numbers) ? doc.conference_numbers : [];
  const members = [...(live?.members.values() ?? [])].sort((x, y) => x.joinedAt - y.joinedAt);
  return {
    number: typeof numbers[0] === 'string' ? numbers[0] : doc.id,
    name: typeof doc.name === 'string' ? doc.name : doc.id,
    pinRequired: pins(doc, false).length > 0 || pins(doc, true).length > 0,
    startTime: live?.startedAt ?? 0,
    members: members.map((m, i) => ({
      joinOrder: i + 1,
      joinTime: m.joinedAt,
      muted: m.state.muted,
      name: m.callerIdName,
      number: m.callerIdNumber,
      ...(typeof m.customChannelVars.username === 'string' && { username: m.customChannelVars.username }),
    })),
  };
}

export function conferenceRoutes(api: Api, app: App): void {
  const auth = { auth: true };
  api.get(
    '/v2/accounts/:A/conferences',
    { config: auth, schema: { summary: 'List conferences with members, admins, duration and is_locked', params: AccountParams, querystring: PageQuery } },
    async (req) => {
      const a = accountFor(app, req.actorId, req.params.A);
      const page = pageOf(req.query);
      if (page === null) return ok(req, app.store.listConferences(a).map((doc) => ({ ...doc, ...summary(app, a, doc) })));
      const { docs, nextStartKey } = app.store.conferencePage(a, page.startKey, page.pageSize);
      return ok(req, docs.map((doc) => ({ ...doc, ...summary(app, a, doc) })), pageEnvelope(page, docs.length, nextStartKey));
    },
  );

  api.put(
    '/v2/accounts/:A/conferences',
    { config: auth, schema: { summary: 'Create a conference', params: AccountParams, body: DocumentBody } },
    async (req, reply) => {
      const a = accountFor(app, req.actorId, req.params.A);
      const data = clientFields(req.body.data);
      checkDocumentSize(data, app.quotas);
      checkConferenceCount(app.store, a, app.quotas);
      checkNumbersFree(app.store, undefined, data);
      reply.code(201);
      return ok(req, app.store.createConference(a, data));
    },
  );

  api.get(
    '/v2/accounts/:A/conferences/:C',
    { config: auth, schema: { summary: 'A conference document with its realtime _read_only state', params: ConferenceParams } },
    async (req) => {
      const { accountId, doc } = scopeOf(app, req.actorId, req.params);
      return ok(req, { ...doc, _read_only: await readOnlyOf(app, accountId, doc) });
    },
  );

  api.post(
    '/v2/accounts/:A/conferences/:C',
    { config: auth, schema: { summary: 'Replace a conference document', params: ConferenceParams, body: DocumentBody } },
    async (req) => {
      const a = accountFor(app, req.actorId, req.params.A);
      const data = clientFields(req.body.data);
      checkDocumentSize(data, app.quotas);
      checkNumbersFree(app.store, req.params.C, data);
      const doc = app.store.replaceConference(a, req.params.C, data);
      if (!doc) throw new NotFoundError('conference', req.params.C);
      return ok(req, doc);
    },
  );

  api.patch(
    '/v2/accounts/:A/conferences/:C',
    {
      config: auth,
      schema: { summary: 'Merge fields into a conference document (the result must be a valid document)', params: ConferenceParams, body: Wrapped(Type.Object({})) },
    },
    async (req) => {
      const a = accountFor(app, req.actorId, req.params.A);
      const current = app.store.conference(a, req.params.C);
      if (!current) throw new NotFoundError('conference', req.params.C);
      const { id: _id, ...base } = current;
      // The merged document is what is stored, so it is what the document schema checks.
      const data = clientFields(validated(DocumentBody, { data: merge(base, req.body.data as Record<string, unknown>) }).data);
      checkDocumentSize(data, app.quotas);
      checkNumbersFree(app.store, req.params.C, data);
      return ok(req, app.store.replaceConference(a, req.params.C, data));
    },
  );

  api.delete(
    '/v2/accounts/:A/conferences/:C',
    {
      config: auth,
      schema: {
        summary: 'Delete a conference (with participants only with ?force=true, which ends it for them)',
        params: ConferenceParams,
        querystring: Type.Object({ force: Type.Optional(Type.Enum(['true', 'false'])) }),
      },
    },
    async (req) => {
      const { accountId: a, doc } = scopeOf(app, req.actorId, req.params);
      const live = app.service.live(a, doc.id);
      if (live && live.members.size > 0) {
        if (req.query.force !== 'true') throw new ConflictError('the conference has participants: delete with ?force=true to end it');
        await app.service.end(a, doc.id, 'deleted');
      }
      app.store.deleteConference(a, doc.id);
      app.adhoc.delete(`${a}/${doc.id}`);
      app.service.forget(a, doc.id);
      return ok(req, { id: doc.id, _deleted: true });
    },
  );

  api.get(
    '/v2/accounts/:A/conference_rooms',
    { config: auth, schema: { summary: "The account's conferences as XiVO's getConferenceRooms lists them (number, name, pinRequired, startTime, members)", params: AccountParams } },
    async (req) => {
      const a = accountFor(app, req.actorId, req.params.A);
      return ok(req, app.store.listConferences(a).map((doc) => xivoRoom(app, a, doc)));
    },
  );

  actionRoute(api, app, 'conference', '/v2/accounts/:A/conferences/:C');
}
