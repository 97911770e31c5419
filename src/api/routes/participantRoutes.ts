import { NotFoundError } from '../../errors.js';
import { JoinRequest } from '../../service/schema/joinRequest.js';
import { accountFor, conferenceFor, readOnlyOf, scopeOf, type App } from '../App.js';
import type { Api } from '../http/Api.js';
import { ok, Wrapped } from '../http/envelope.js';
import { actionRoute } from './actionRoute.js';
import { ConferenceParams, ParticipantParams } from './params.js';

function participantId(raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw new NotFoundError('participant', raw);
  return id;
}

/** The conference of the request: stored, live ad-hoc, or created ad hoc from a join's `config`. */
function joinTarget(app: App, accountId: string, id: string, config: Record<string, unknown> | undefined) {
  try {
    return conferenceFor(app, accountId, id);
  } catch (err) {
    if (!config || !/^[\w.-]{1,64}$/.test(id)) throw err;
    const doc = { ...config, id };
    app.adhoc.set(`${accountId}/${id}`, doc);
    return doc;
  }
}

export function participantRoutes(api: Api, app: App): void {
  const auth = { auth: true };
  const list = '/v2/accounts/:A/conferences/:C/participants';
  api.get(list, { config: auth, schema: { summary: 'Realtime state of every participant', params: ConferenceParams } }, async (req) => {
    const { accountId, doc } = scopeOf(app, req.actorId, req.params);
    return ok(req, (await readOnlyOf(app, accountId, doc)).participants);
  });

  api.get(`${list}/:P`, { config: auth, schema: { summary: 'Realtime state of one participant', params: ParticipantParams } }, async (req) => {
    const { accountId, doc } = scopeOf(app, req.actorId, req.params);
    const id = participantId(req.params.P);
    app.service.participant(accountId, doc.id, id);
    const all = (await readOnlyOf(app, accountId, doc)).participants as { participant_id: number }[];
    return ok(req, all.find((p) => p.participant_id === id));
  });

  api.post(
    list,
    {
      config: auth,
      schema: {
        summary: 'Add a participant by its SDP offer (or get our offer); creates an ad-hoc conference from data.config',
        params: ConferenceParams,
        body: Wrapped(JoinRequest),
      },
    },
    async (req, reply) => {
      const a = accountFor(app, req.actorId, req.params.A);
      const request = req.body.data;
      const adhocBefore = app.adhoc.has(`${a}/${req.params.C}`);
      const doc = joinTarget(app, a, req.params.C, request.config);
      const joined = await app.service.join(a, doc, request).catch((err: unknown) => {
        // An ad-hoc conference whose first join failed never existed.
        if (!adhocBefore && !app.service.live(a, doc.id)) app.adhoc.delete(`${a}/${req.params.C}`);
        throw err;
      });
      reply.code(201);
      return ok(req, joined);
    },
  );

  actionRoute(api, app, 'participants', list);
  actionRoute(api, app, 'participant', `${list}/:P`);
}
