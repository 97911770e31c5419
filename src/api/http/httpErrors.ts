// Every failure of an HTTP request, whatever raised it (a route, the validator, fastify's body
// reader), leaves in Kazoo's error envelope.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidArgumentError, PayloadTooLargeError, RateLimitedError, RoomtoneError } from '../../errors.js';
import type { Logger } from '../../util/logger.js';
import { errorBody } from './envelope.js';

/** fastify's own errors as ours: its body limit is our 413, its other 4xx name the body. */
/** What reaches the handler: fastify's errors, or ours (thrown by routes, hooks and the validator). */
type HttpError = Error & Partial<Pick<FastifyError, 'code' | 'statusCode'>>;

function asRoomtoneError(err: HttpError, bodyLimit: number): unknown {
  if (err instanceof RoomtoneError) return err;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PayloadTooLargeError(bodyLimit);
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return new InvalidArgumentError('body', err.message);
  return err;
}

export function httpErrorHandler(log: Logger) {
  return (err: HttpError, req: FastifyRequest, reply: FastifyReply): void => {
    const e = asRoomtoneError(err, req.routeOptions.bodyLimit ?? 0);
    const { status, body } = errorBody(e, req.id);
    if (e instanceof RateLimitedError) reply.header('retry-after', String(e.retryAfterSeconds));
    if (e instanceof PayloadTooLargeError && !req.raw.complete) {
      // fastify would close the connection, and a client still sending would never read the 413:
      // the rest is read and dropped instead (for at most the server's request timeout).
      reply.removeHeader('connection');
      req.raw.resume();
    }
    if (status >= 500) log.error({ err: String(err), requestId: req.id, url: req.url }, 'request failed');
    void reply.code(status).type('application/json').send(body);
  };
}
