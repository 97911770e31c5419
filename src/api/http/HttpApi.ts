import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError, NotFoundError, RateLimitedError, UnauthorizedError } from '../../errors.js';
import type { App } from '../App.js';
import { errorBody, successBody } from './envelope.js';
import { readJsonBody } from './readBody.js';
import { readRawBody } from './readRawBody.js';
import type { Route } from './Route.js';
import { Router } from './Router.js';

/** Turns HTTP requests into route calls: body limits, JSON, auth, the envelope and error mapping. */
export class HttpApi {
  readonly #router: Router;
  readonly #app: App;

  constructor(routes: readonly Route[], app: App) {
    this.#router = new Router(routes);
    this.#app = app;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headerId = req.headers['x-request-id'];
    const requestId = typeof headerId === 'string' && /^[\w-]{1,64}$/.test(headerId) ? headerId : randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    let status = 500;
    try {
      const match = this.#router.match(req.method ?? 'GET', url.pathname);
      if (match === null) throw new NotFoundError('route', url.pathname);
      if ('methodNotAllowed' in match) {
        req.resume();
        res.setHeader('allow', match.methodNotAllowed.join(', '));
        throw new MethodNotAllowedError(match.methodNotAllowed);
      }
      // Credentials before the body: no one without a token makes us read or parse a megabyte.
      const token = headerValue(req.headers['x-auth-token']);
      let actorId = '';
      if (match.route.auth) {
        const account = token === undefined ? undefined : this.#app.tokens.accountOf(token);
        if (account === undefined) {
          req.resume();
          throw new UnauthorizedError(token === undefined ? 'missing X-Auth-Token' : 'invalid or expired auth token');
        }
        actorId = account;
        try {
          this.#app.requestsPerToken.take(token!);
        } catch (err) {
          req.resume();
          throw err;
        }
      }
      const raw = match.route.rawBody;
      const body =
        req.method === 'GET' || req.method === 'DELETE'
          ? (req.resume(), undefined)
          : raw
            ? await readRawBody(req, raw.limit)
            : await readJsonBody(req);
      const contentType = headerValue(req.headers['content-type']);
      const remoteAddress = req.socket.remoteAddress ?? '';
      const ctx = { params: match.params, query: url.searchParams, body, requestId, actorId, authToken: token, contentType, remoteAddress };
      const result = await match.route.handle(ctx, this.#app);
      status = result.status ?? 200;
      if (result.raw) {
        res.writeHead(status, { 'content-type': result.raw.contentType, 'x-request-id': requestId });
        res.end(result.raw.body);
      } else {
        send(res, status, { ...successBody(result.data, requestId, token), ...result.envelope }, requestId);
      }
    } catch (err) {
      const e = errorBody(err, requestId);
      status = e.status;
      if (err instanceof RateLimitedError && !res.headersSent) res.setHeader('retry-after', String(err.retryAfterSeconds));
      if (status >= 500) this.#app.log.error({ err: String(err), requestId, url: url.pathname }, 'request failed');
      send(res, status, e.body, requestId);
    } finally {
      this.#app.metrics.httpRequest(req.method ?? 'GET', status);
    }
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function send(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': requestId });
  res.end(text);
}
