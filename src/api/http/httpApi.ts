// The HTTP door: fastify with TypeBox schemas. One schema per request body, params and query
// gives the validation (the control plane's one validator, in Kazoo's error shape), the
// handler's static type and the OpenAPI document; responses keep Kazoo's envelope.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { InvalidArgumentError, MethodNotAllowedError, NotFoundError } from '../../errors.js';
import { schemaCheck } from '../../service/schema/validator.js';
import type { App } from '../App.js';
import { routes } from '../routes/routes.js';
import { AllowedMethods } from './allowedMethods.js';
import type { Api } from './Api.js';
import { authenticate } from './authenticate.js';
import { httpErrorHandler } from './httpErrors.js';
import { openApiOptions, DOCS_PREFIX } from './openapi.js';

export const MAX_BODY_BYTES = 1024 * 1024;

// The Swagger UI's pages load only from this server: no validator badge, fonts or styles from
// elsewhere, and nothing may frame them.
const DOCS_CSP =
  "default-src 'self'; base-uri 'none'; connect-src 'self'; font-src 'self' data:; form-action 'none'; frame-ancestors 'none'; " +
  "img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The API. With `on`, it serves that server (already listening): fastify hands its request
 * handler to `attach`. Without, it answers only fastify's inject() (tests).
 */
export async function createHttpApi(app: App, on?: { server: Server; attach: (handler: Handler) => void }): Promise<Api> {
  const onError = httpErrorHandler(app.log);
  const api: Api = Fastify({
    ...(on && {
      serverFactory: (handler: Handler) => {
        on.attach(handler);
        return on.server;
      },
    }),
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { maxParamLength: 128, ignoreTrailingSlash: true },
    requestIdHeader: false,
    // A path fastify cannot decode (a malformed %-escape) fails in Kazoo's envelope like any other.
    frameworkErrors: (_err, req, reply) => onError(new InvalidArgumentError('path', 'has a malformed escape'), req, reply),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  api.setValidatorCompiler(({ schema }) => schemaCheck(schema as never));
  // Response schemas document; they do not filter (documents keep the fields their owners stored).
  api.setSerializerCompiler(() => (data) => JSON.stringify(data));
  api.decorateRequest('actorId', '');
  api.decorateRequest('authToken', undefined);

  const allowed = new AllowedMethods();
  api.addHook('onRoute', (route) => allowed.add(route.url, route.method));
  api.addHook('onRequest', async (req, reply) => void reply.header('x-request-id', req.id));
  api.addHook('onRequest', authenticate(app));
  api.addHook('onResponse', async (req, reply) => app.metrics.httpRequest(req.method, reply.statusCode));

  // Any content type: a JSON client that says text/plain (or nothing, as curl -d says form data)
  // is still understood; an upload route takes the bytes as they are.
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    const bytes = body as Buffer;
    if (req.routeOptions.config.raw) return done(null, bytes);
    if (bytes.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(bytes.toString('utf8')));
    } catch (err) {
      done(new InvalidArgumentError('body', `is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });

  api.setErrorHandler(onError);
  api.setNotFoundHandler(async (req, reply) => {
    const path = new URL(req.url, 'http://localhost').pathname;
    const methods = allowed.for(path);
    if (methods.length === 0) throw new NotFoundError('route', path);
    reply.header('allow', methods.join(', '));
    throw new MethodNotAllowedError(methods);
  });

  await api.register(swagger, openApiOptions);
  await api.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { validatorUrl: null }, staticCSP: DOCS_CSP });
  await api.register(async (scoped) => routes(scoped as Api, app));
  await api.ready();
  return api;
}
