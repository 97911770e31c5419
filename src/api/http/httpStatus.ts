import type { ErrorCode } from '../../errors.js';

/** The HTTP status of each error code, declared once for REST and websocket replies. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_argument: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_state: 409,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  method_not_allowed: 405,
  unsupported: 501,
  internal: 500,
};
