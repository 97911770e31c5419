import { readFileSync } from 'node:fs';
import { scopeOf } from '../App.js';
import type { Route } from '../http/Route.js';

export const recordingRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v2/accounts/{A}/conferences/{C}/recordings',
    summary: "The conference's recordings with their durations",
    auth: true,
    handle: async (ctx, app) => {
      const { accountId, doc } = scopeOf(app, ctx.actorId, ctx.params);
      return { data: app.service.recordings.list(accountId, doc.id) };
    },
  },
  {
    method: 'GET',
    path: '/v2/accounts/{A}/conferences/{C}/recordings/{R}',
    summary: 'Download a recording (audio/wav)',
    auth: true,
    handle: async (ctx, app) => {
      const { accountId, doc } = scopeOf(app, ctx.actorId, ctx.params);
      const path = app.service.recordings.path(accountId, doc.id, ctx.params.R);
      return { data: null, raw: { contentType: 'audio/wav', body: readFileSync(path) } };
    },
  },
];
