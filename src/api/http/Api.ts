// The HTTP door's types: the fastify instance with TypeBox as its type provider, and what a
// route declares and a request carries beyond fastify's own.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { CommandTarget } from '../../service/commands/Command.js';

export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs an X-Auth-Token (checked before the body is read). */
    auth?: boolean;
    /** The body is bytes (an upload), not JSON. */
    raw?: boolean;
    /** The route runs the command table's commands of this target. */
    commands?: CommandTarget;
  }
  interface FastifyRequest {
    /** The account of the request's auth token ('' on routes without auth). */
    actorId: string;
    authToken: string | undefined;
  }
}
