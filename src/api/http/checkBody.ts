import { ValidationError } from '../../errors.js';
import { validate, type Schema } from '../schema/Schema.js';

/** Validates a request body against its schema, filling defaults; a failure names every field. */
export function checkBody<T>(schema: Schema, body: unknown): T {
  const { value, errors } = validate<T>(schema, body ?? {});
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return value;
}

/** Kazoo accepts an action both as {"data":{"action":X,"data":{...}}} and as {"action":X,"data":{...}}. */
export function actionOf(body: unknown): { action: unknown; data: unknown } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const inner = typeof b.data === 'object' && b.data !== null ? (b.data as Record<string, unknown>) : undefined;
  if (b.action === undefined && inner && inner.action !== undefined) return { action: inner.action, data: inner.data };
  return { action: b.action, data: b.data };
}

/** Validates `body.data`, Kazoo's request wrapper, so that errors name the document's own fields. */
export function checkData<T>(schema: Schema, body: unknown): T {
  const data = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).data : undefined;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ValidationError({ data: { required: { message: 'the request must wrap its document in {"data": {...}}' } } });
  }
  return checkBody<T>(schema, data);
}
