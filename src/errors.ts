// The error classes of roomtone, declared once. Each carries a stable code so that it can
// cross the worker boundary (and, later, the REST API) and be rebuilt on the other side.

export type ErrorCode = 'invalid_argument' | 'invalid_state' | 'not_found' | 'unsupported' | 'internal';

export class RoomtoneError extends Error {
  readonly code: ErrorCode;
  /** The failing input field, where one is to blame. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.field = field;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, field: this.field };
  }
}

export class InvalidArgumentError extends RoomtoneError {
  constructor(field: string, rule: string) {
    super('invalid_argument', `${field} ${rule}`, field);
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
}

/** Rebuilds an error that crossed a thread boundary as its own class. */
export function deserializeError(e: SerializedError): RoomtoneError {
  switch (e.code) {
    case 'invalid_argument': {
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
      return new RoomtoneError('internal', e.message, e.field);
  }
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof RoomtoneError) return e.toJSON();
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
