// Kazoo's media API: documents under /v2/accounts/{A}/media and their audio at .../raw.
import Type from 'typebox';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import { MEDIA_CONTENT_TYPES, MEDIA_MAX_BYTES, type MediaDoc } from '../../media/store/MediaStore.js';
import { accountFor, type App } from '../App.js';
import type { Api } from '../http/Api.js';
import { ok, Wrapped } from '../http/envelope.js';
import { pageEnvelope, pageOf, PageQuery } from '../http/pagination.js';
import { AccountParams, MediaParams } from './params.js';

const NewMedia = Wrapped(
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 128, description: 'A display name' }),
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'An http(s) URL to fetch the audio from, instead of uploading it' })),
  }),
);

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

function mediaFor(app: App, req: { actorId: string; params: { A: string; M: string } }): { accountId: string; doc: MediaDoc } {
  const accountId = accountFor(app, req.actorId, req.params.A);
  const doc = app.media.get(accountId, req.params.M);
  if (!doc) throw new NotFoundError('media', req.params.M);
  return { accountId, doc };
}

export function mediaRoutes(api: Api, app: App): void {
  const auth = { auth: true };
  api.get('/v2/accounts/:A/media', { config: auth, schema: { summary: 'List media', params: AccountParams, querystring: PageQuery } }, async (req) => {
    const a = accountFor(app, req.actorId, req.params.A);
    const page = pageOf(req.query);
    if (page === null) return ok(req, app.media.list(a).map(mediaJson));
    const { docs, nextStartKey } = app.media.page(a, page.startKey, page.pageSize);
    return ok(req, docs.map(mediaJson), pageEnvelope(page, docs.length, nextStartKey));
  });

  api.put(
    '/v2/accounts/:A/media',
    { config: auth, schema: { summary: 'Create a media document; upload its audio to .../media/{M}/raw, or give a url', params: AccountParams, body: NewMedia } },
    async (req, reply) => {
      const accountId = accountFor(app, req.actorId, req.params.A);
      const { name, url } = req.body.data;
      reply.code(201);
      return ok(req, mediaJson(app.media.create(accountId, { name, url })));
    },
  );

  api.get('/v2/accounts/:A/media/:M', { config: auth, schema: { summary: 'A media document', params: MediaParams } }, async (req) =>
    ok(req, mediaJson(mediaFor(app, req).doc)),
  );

  api.delete('/v2/accounts/:A/media/:M', { config: auth, schema: { summary: 'Delete a media document and its audio', params: MediaParams } }, async (req) => {
    const { accountId, doc } = mediaFor(app, req);
    app.media.delete(accountId, doc.id);
    return ok(req, { id: doc.id, _deleted: true });
  });

  api.post(
    '/v2/accounts/:A/media/:M/raw',
    {
      config: { auth: true, raw: true },
      bodyLimit: MEDIA_MAX_BYTES,
      schema: {
        summary: `Upload the audio: a WAV (PCM or float, any rate) or Ogg Opus file of at most ${MEDIA_MAX_BYTES / 1048576} MiB and 10 minutes`,
        params: MediaParams,
        consumes: [...MEDIA_CONTENT_TYPES],
      },
    },
    async (req) => {
      const { accountId, doc } = mediaFor(app, req);
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new InvalidArgumentError('file', 'must be the audio file as the request body');
      await app.media.upload(accountId, doc.id, body, req.headers['content-type']);
      return ok(req, mediaJson(app.media.get(accountId, doc.id) ?? doc));
    },
  );
}
