// The SIP answer to a conference service refusal: each error code of roomtone, declared once
// (src/errors.ts), has the SIP status a caller's user agent understands.
import { RoomtoneError, type ErrorCode } from '../errors.js';

const STATUS: Record<ErrorCode, [number, string]> = {
  invalid_argument: [488, 'Not Acceptable Here'],
  unauthorized: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  not_found: [404, 'Not Found'],
  invalid_state: [480, 'Temporarily Unavailable'],
  conflict: [486, 'Busy Here'],
  payload_too_large: [513, 'Message Too Large'],
  rate_limited: [503, 'Service Unavailable'],
  method_not_allowed: [405, 'Method Not Allowed'],
  unsupported: [501, 'Not Implemented'],
  internal: [500, 'Server Internal Error'],
};

export function sipStatusOf(err: unknown): [number, string] {
  return err instanceof RoomtoneError ? STATUS[err.code] : STATUS.internal;
}
