// The one validator of the control plane: every TypeBox schema (request bodies over HTTP, each
// command's data from any door) is checked by this ajv, and its failures are turned into
// Kazoo's error shape, {field: {rule: {message, target}}}. Defaults are filled in; nothing is
// coerced (a "10" where an integer belongs is an error, as Kazoo has it).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Static, TSchema } from 'typebox';
import { ValidationError, type FieldErrors } from '../../errors.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** The compiled check of a schema, compiled once per schema object. */
function compile(schema: TSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** `input` checked against `schema` with defaults filled in (in place), or ValidationError naming every failing field. */
export function validated<S extends TSchema>(schema: S, input: unknown): Static<S> {
  const fn = compile(schema);
  if (fn(input)) return input as Static<S>;
  throw new ValidationError(kazooErrors(fn.errors ?? []));
}

/** A check for fastify's validatorCompiler: the same validation, the error as a value. */
export function schemaCheck(schema: TSchema): (input: unknown) => { value: unknown } | { error: Error } {
  return (input) => {
    try {
      return { value: validated(schema, input) };
    } catch (error) {
      return { error: error as Error };
    }
  };
}

/**
 * ajv's errors in Kazoo's shape. The key is the field's path in dots, relative to Kazoo's
 * request wrapper: `{"data": {"name": …}}` fails as `name`, and a missing wrapper as `data`.
 */
export function kazooErrors(errors: readonly ErrorObject[]): FieldErrors {
  const out: FieldErrors = {};
  for (const e of errors) {
    // anyOf's summary adds nothing to the branches' own failures, which name the same field.
    if (e.keyword === 'anyOf' && errors.some((o) => o !== e && o.instancePath === e.instancePath)) continue;
    const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (e.keyword === 'required') segments.push(String(e.params.missingProperty));
    if (e.keyword === 'additionalProperties') segments.push(String(e.params.additionalProperty));
    if (segments[0] === 'data' && segments.length > 1) segments.shift();
    const field = segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : s)).join('.') || 'data';
    out[field] = { ...out[field], [e.keyword]: ruleOf(e) };
  }
  return out;
}

function ruleOf(e: ErrorObject): { message: string; target?: unknown } {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return { message: `Value is not of type ${String(p.type)}`, target: p.type };
    case 'required':
      return { message: 'Field is required but missing' };
    case 'minLength':
      return { message: `Value must be at least ${String(p.limit)} characters`, target: p.limit };
    case 'maxLength':
      return { message: `Value must be at most ${String(p.limit)} characters`, target: p.limit };
    case 'minimum':
      return { message: `Value must be at least ${String(p.limit)}`, target: p.limit };
    case 'maximum':
      return { message: `Value must be at most ${String(p.limit)}`, target: p.limit };
    case 'maxItems':
      return { message: `At most ${String(p.limit)} items`, target: p.limit };
    case 'enum':
      return { message: `Value is not one of ${(p.allowedValues as unknown[]).join(', ')}`, target: p.allowedValues };
    case 'const':
      return { message: `Value must be ${JSON.stringify(p.allowedValue)}`, target: p.allowedValue };
    case 'additionalProperties':
      return { message: 'Field is not allowed' };
    default:
      return { message: e.message ?? `Value breaks ${e.keyword}` };
  }
}
