import type { FastifyRequest } from 'fastify';
import Type, { type TSchema } from 'typebox';
import { RoomtoneError } from '../../errors.js';
import { HTTP_STATUS } from './httpStatus.js';

export const API_VERSION = '0.1.0';

/** Kazoo's request wrapper: `{"data": {...}}`. */
export const Wrapped = <S extends TSchema>(data: S) => Type.Object({ data }, { description: 'Kazoo request envelope: the document under data' });

/** Kazoo's success envelope. */
export function successBody(data: unknown, requestId: string, authToken?: string): Record<string, unknown> {
  return {
    data,
    status: 'success',
    request_id: requestId,
    ...(authToken && { auth_token: authToken }),
    timestamp: new Date().toISOString(),
    version: API_VERSION,
  };
}

/** The success envelope of a request, with extra top-level fields (a page's keys). */
export function ok(req: FastifyRequest, data: unknown, extra?: Record<string, unknown>): Record<string, unknown> {
  return { ...successBody(data, req.id, req.authToken), ...extra };
}

/** The `data` of Kazoo's error envelope: the failing fields and the rule each broke. */
export function errorData(e: RoomtoneError): Record<string, unknown> {
  if (e.details) return e.details;
  if (e.field) return { [e.field]: { invalid: { message: e.message } } };
  return {};
}

/** Kazoo's error envelope: `error` is the HTTP status, `data` names the failing fields. */
export function errorBody(err: unknown, requestId: string): { status: number; body: Record<string, unknown> } {
  const e = err instanceof RoomtoneError ? err : new RoomtoneError('internal', 'internal error');
  const status = HTTP_STATUS[e.code];
  return {
    status,
    body: { status: 'error', error: String(status), message: e.message, data: errorData(e), request_id: requestId, timestamp: new Date().toISOString(), version: API_VERSION },
  };
}
