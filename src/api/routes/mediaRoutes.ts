// Kazoo's media API: documents under /v2/accounts/{A}/media and their audio at .../raw.
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import { MEDIA_CONTENT_TYPES, MEDIA_MAX_BYTES, type MediaDoc } from '../../media/store/MediaStore.js';
import { accountFor, type App } from '../App.js';
import { checkData } from '../http/checkBody.js';
import type { RequestContext, Route } from '../http/Route.js';
import { s } from '../schema/Schema.js';
import { pageEnvelope, pageOf } from '../http/pagination.js';

const mediaData = s.object(
  {
    name: s.string({ min: 1, max: 128, description: 'A display name' }),
    url: s.string({ min: 1, max: 2048, description: 'An http(s) URL to fetch the audio from, instead of uploading it' }),
  },
  { required: ['name'] },
);
const mediaBody = s.object({ data: mediaData }, { required: ['data'] });

/** A media document as the API shows it. */
export function mediaJson(doc: MediaDoc): Record<string, unknown> {
  return {
    id: doc.id,
    name: doc.name,
    media_source: doc.source,
    ...(doc.url !== null && { url: doc.url }),
    duration_ms: doc.duration_ms,
    created: doc.created_at,
  };
}

function mediaFor(app: App, ctx: RequestContext): { accountId: string; doc: MediaDoc } {
  const accountId = accountFor(app, ctx.actorId, ctx.params.A);
  const doc = app.media.get(accountId, ctx.params.M);
  if (!doc) throw new NotFoundError('media', ctx.params.M);
  return { accountId, doc };
}

export const mediaRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v2/accounts/{A}/media',
    summary: 'List media',
    auth: true,
    handle: async (ctx, app) => {
      const a = accountFor(app, ctx.actorId, ctx.params.A);
      const page = pageOf(ctx.query);
      if (page === null) return { data: app.media.list(a).map(mediaJson) };
      const { docs, nextStartKey } = app.media.page(a, page.startKey, page.pageSize);
      return { data: docs.map(mediaJson), envelope: pageEnvelope(page, docs.length, nextStartKey) };
    },
  },
  {
    method: 'PUT',
    path: '/v2/accounts/{A}/media',
    summary: 'Create a media document; upload its audio to .../media/{M}/raw, or give a url',
    auth: true,
    body: mediaBody,
    handle: async (ctx, app) => {
      const accountId = accountFor(app, ctx.actorId, ctx.params.A);
      const data = checkData<{ name: string; url?: string }>(mediaData, ctx.body);
      return { status: 201, data: mediaJson(app.media.create(accountId, { name: data.name, url: data.url })) };
    },
  },
  {
    method: 'GET',
    path: '/v2/accounts/{A}/media/{M}',
    summary: 'A media document',
    auth: true,
    handle: async (ctx, app) => ({ data: mediaJson(mediaFor(app, ctx).doc) }),
  },
  {
    method: 'DELETE',
    path: '/v2/accounts/{A}/media/{M}',
    summary: 'Delete a media document and its audio',
    auth: true,
    handle: async (ctx, app) => {
      const { accountId, doc } = mediaFor(app, ctx);
      app.media.delete(accountId, doc.id);
      return { data: { id: doc.id, _deleted: true } };
    },
  },
  {
    method: 'POST',
    path: '/v2/accounts/{A}/media/{M}/raw',
    summary: `Upload the audio: a WAV (PCM or float, any rate) or Ogg Opus file of at most ${MEDIA_MAX_BYTES / 1048576} MiB and 10 minutes`,
    auth: true,
    rawBody: { limit: MEDIA_MAX_BYTES, contentTypes: MEDIA_CONTENT_TYPES },
    handle: async (ctx: RequestContext, app) => {
      const { accountId, doc } = mediaFor(app, ctx);
      if (!Buffer.isBuffer(ctx.body) || ctx.body.length === 0) throw new InvalidArgumentError('file', 'must be the audio file as the request body');
      await app.media.upload(accountId, doc.id, ctx.body, ctx.contentType);
      return { data: mediaJson(app.media.get(accountId, doc.id) ?? doc) };
    },
  },
];
