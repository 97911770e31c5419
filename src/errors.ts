// The error classes of roomtone, declared once. Each carries a stable code so that it can
// cross the worker boundary (and, later, the REST API) and be rebuilt on the other side.

export type ErrorCode =
  | 'invalid_argument'
  | 'invalid_state'
  | 'not_found'
  | 'unsupported'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'method_not_allowed'
  | 'internal';

/** Per-field failures in Kazoo's shape: {field: {rule: {message}}}. */
export type FieldErrors = Record<string, Record<string, { message: string; target?: unknown }>>;

export class RoomtoneError extends Error {
  readonly code: ErrorCode;
  /** The failing input field, where one is to blame. */
  readonly field: string | undefined;

  /** Every failing field when there are several (schema validation). */
  readonly details: FieldErrors | undefined;

  constructor(code: ErrorCode, message: string, field?: string, details?: FieldErrors) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.field = field;
    this.details = details;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, field: this.field, details: this.details };
  }
}

export class InvalidArgumentError extends RoomtoneError {
  constructor(field: string, rule: string) {
    super('invalid_argument', `${field} ${rule}`, field);
  }
}

/** A document or request body failed its schema; `details` names every failing field. */
export class ValidationError extends RoomtoneError {
  constructor(details: FieldErrors) {
    const fields = Object.keys(details);
    super('invalid_argument', `invalid data: ${fields.join(', ')}`, fields[0], details);
  }
}

export class UnauthorizedError extends RoomtoneError {
  constructor(message = 'invalid credentials') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends RoomtoneError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** The request is valid but the resource's state refuses it (locked, full, busy). */
export class ConflictError extends RoomtoneError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/**
 * A tenant's share of a limited resource is used up: the error names the quota, with its limit
 * as the target. 409 for a share of something shared (RTP ports), 429 for a count, 413 for a size.
 */
export class QuotaError extends RoomtoneError {
  constructor(quota: string, limit: number, message: string, code: 'conflict' | 'rate_limited' | 'payload_too_large' = 'conflict') {
    super(code, message, quota, { [quota]: { quota: { message, target: limit } } });
  }
}

/** Too many requests of one kind from one source: 429 with Retry-After. */
export class RateLimitedError extends RoomtoneError {
  readonly retryAfterSeconds: number;

  constructor(what: string, retryAfterSeconds: number) {
    super('rate_limited', `too many ${what}; try again in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class MethodNotAllowedError extends RoomtoneError {
  constructor(allowed: string[]) {
    super('method_not_allowed', `method not allowed; allowed: ${allowed.join(', ')}`);
  }
}

export class PayloadTooLargeError extends RoomtoneError {
  constructor(limit: number) {
    super('payload_too_large', `request body is larger than ${limit} bytes`);
  }
}

export class InvalidStateError extends RoomtoneError {
  constructor(message: string) {
    super('invalid_state', message);
  }
}

export class NotFoundError extends RoomtoneError {
  constructor(what: string, id: string | number) {
    super('not_found', `${what} ${id} not found`);
  }
}

export class UnsupportedError extends RoomtoneError {
  constructor(message: string) {
    super('unsupported', message);
  }
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  field?: string | undefined;
  details?: FieldErrors | undefined;
}

/** Rebuilds an error that crossed a thread boundary as its own class. */
export function deserializeError(e: SerializedError): RoomtoneError {
  switch (e.code) {
    case 'invalid_argument': {
      if (e.details) return new ValidationError(e.details);
      const err = new InvalidArgumentError(e.field ?? 'argument', '');
      err.message = e.message;
      return err;
    }
    case 'invalid_state':
      return new InvalidStateError(e.message);
    case 'not_found': {
      const err = new NotFoundError('', '');
      err.message = e.message;
      return err;
    }
    case 'unsupported':
      return new UnsupportedError(e.message);
    default:
      return new RoomtoneError(e.code, e.message, e.field, e.details);
  }
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof RoomtoneError) return e.toJSON();
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
