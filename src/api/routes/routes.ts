import type { App } from '../App.js';
import type { Api } from '../http/Api.js';
import { ok } from '../http/envelope.js';
import { authRoutes } from './authRoutes.js';
import { conferenceRoutes } from './conferenceRoutes.js';
import { mediaRoutes } from './mediaRoutes.js';
import { namedDocumentRoutes } from './namedDocumentRoutes.js';
import { participantRoutes } from './participantRoutes.js';
import { recordingRoutes } from './recordingRoutes.js';

function systemRoutes(api: Api, app: App): void {
  api.get('/metrics', { schema: { summary: 'Prometheus metrics' } }, async (_req, reply) => reply.type(app.metrics.contentType).send(await app.metrics.text()));
  api.get('/v2/openapi.json', { schema: { summary: 'This API described in OpenAPI 3.1' } }, async () => api.swagger());
  api.get('/v2/health', { schema: { summary: 'Liveness and media-thread clock figures' } }, async (req) => ok(req, { status: 'ok', hosts: await app.engine.hostStats() }));
}

/** Every HTTP route of the server. */
export function routes(api: Api, app: App): void {
  authRoutes(api, app);
  conferenceRoutes(api, app);
  participantRoutes(api, app);
  recordingRoutes(api, app);
  mediaRoutes(api, app);
  namedDocumentRoutes(api, app);
  systemRoutes(api, app);
}
