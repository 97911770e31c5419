import type { Route } from '../http/Route.js';
import { authRoutes } from './authRoutes.js';
import { conferenceRoutes } from './conferenceRoutes.js';
import { openApiDocument } from './openapi.js';
import { participantRoutes } from './participantRoutes.js';
import { mediaRoutes } from './mediaRoutes.js';
import { recordingRoutes } from './recordingRoutes.js';

const systemRoutes: Route[] = [
  {
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics',
    auth: false,
    handle: async (_ctx, app) => ({ data: null, raw: { contentType: app.metrics.contentType, body: await app.metrics.text() } }),
  },
  {
    method: 'GET',
    path: '/v2/openapi.json',
    summary: 'This API described in OpenAPI 3.1',
    auth: false,
    handle: async () => ({ data: null, raw: { contentType: 'application/json', body: JSON.stringify(openApiDocument(ROUTES), null, 2) } }),
  },
  {
    method: 'GET',
    path: '/v2/health',
    summary: 'Liveness and media-thread clock figures',
    auth: false,
    handle: async (_ctx, app) => ({ data: { status: 'ok', hosts: await app.engine.hostStats() } }),
  },
];

/** Every HTTP route of the server. */
export const ROUTES: readonly Route[] = [...authRoutes, ...conferenceRoutes, ...participantRoutes, ...recordingRoutes, ...mediaRoutes, ...systemRoutes];
