import { readFileSync } from 'node:fs';
import { scopeOf, type App } from '../App.js';
import type { Api } from '../http/Api.js';
import { ok } from '../http/envelope.js';
import { ConferenceParams, RecordingParams } from './params.js';

export function recordingRoutes(api: Api, app: App): void {
  const auth = { auth: true };
  const list = '/v2/accounts/:A/conferences/:C/recordings';
  api.get(list, { config: auth, schema: { summary: "The conference's recordings with their durations", params: ConferenceParams } }, async (req) => {
    const { accountId, doc } = scopeOf(app, req.actorId, req.params);
    return ok(req, app.service.recordings.list(accountId, doc.id));
  });

  api.get(`${list}/:R`, { config: auth, schema: { summary: 'Download a recording (audio/wav)', params: RecordingParams } }, async (req, reply) => {
    const { accountId, doc } = scopeOf(app, req.actorId, req.params);
    const path = app.service.recordings.path(accountId, doc.id, req.params.R);
    return reply.type('audio/wav').send(readFileSync(path));
  });
}
