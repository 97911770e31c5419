import { RoomtoneError } from '../../errors.js';
import { HTTP_STATUS } from './httpStatus.js';

export const API_VERSION = '0.1.0';

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

/** Kazoo's error envelope: `error` is the HTTP status, `data` names the failing fields. */
export function errorBody(err: unknown, requestId: string): { status: number; body: Record<string, unknown> } {
  const e = err instanceof RoomtoneError ? err : new RoomtoneError('internal', 'internal error');
  const status = HTTP_STATUS[e.code];
  let data: Record<string, unknown> = {};
  if (e.details) data = e.details;
  else if (e.field) data = { [e.field]: { invalid: { message: e.message } } };
  return {
    status,
    body: { status: 'error', error: String(status), message: e.message, data, request_id: requestId, timestamp: new Date().toISOString(), version: API_VERSION },
  };
}
