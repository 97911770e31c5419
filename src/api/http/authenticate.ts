import type { FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../../errors.js';
import type { App } from '../App.js';

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * The onRequest check of routes that need a token: before the body is read, so that nobody
 * without a token makes us read or parse a megabyte. Each token's requests are rate-limited.
 */
export function authenticate(app: App) {
  return async (req: FastifyRequest): Promise<void> => {
    if (!req.routeOptions.config.auth) return;
    const token = header(req.headers['x-auth-token']);
    const account = token === undefined ? undefined : app.tokens.accountOf(token);
    if (account === undefined) throw new UnauthorizedError(token === undefined ? 'missing X-Auth-Token' : 'invalid or expired auth token');
    app.requestsPerToken.take(token!);
    req.actorId = account;
    req.authToken = token;
  };
}
