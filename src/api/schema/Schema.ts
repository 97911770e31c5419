// A small schema language for the control API. One declaration gives validation with
// defaults, errors in Kazoo's shape ({field: {rule: {message}}}), and the OpenAPI document.

export type Schema =
  | { kind: 'string'; min?: number; max?: number; enum?: readonly string[]; description?: string; default?: string }
  | { kind: 'integer'; min?: number; max?: number; description?: string; default?: number }
  | { kind: 'boolean'; description?: string; default?: boolean }
  | { kind: 'array'; items: Schema; max?: number; description?: string; default?: unknown[] }
  | { kind: 'object'; properties: Record<string, Schema>; required?: readonly string[]; additional?: boolean; description?: string; default?: Record<string, unknown> }
  | { kind: 'union'; of: Schema[]; description?: string; default?: unknown }
  | { kind: 'any'; description?: string };

type Meta = { description?: string };

export const s = {
  string: (o: Omit<Extract<Schema, { kind: 'string' }>, 'kind'> = {}): Schema => ({ kind: 'string', ...o }),
  integer: (o: Omit<Extract<Schema, { kind: 'integer' }>, 'kind'> = {}): Schema => ({ kind: 'integer', ...o }),
  boolean: (o: Omit<Extract<Schema, { kind: 'boolean' }>, 'kind'> = {}): Schema => ({ kind: 'boolean', ...o }),
  array: (items: Schema, o: Omit<Extract<Schema, { kind: 'array' }>, 'kind' | 'items'> = {}): Schema => ({ kind: 'array', items, ...o }),
  object: (properties: Record<string, Schema>, o: Omit<Extract<Schema, { kind: 'object' }>, 'kind' | 'properties'> = {}): Schema => ({
    kind: 'object',
    properties,
    ...o,
  }),
  union: (of: Schema[], o: Meta & { default?: unknown } = {}): Schema => ({ kind: 'union', of, ...o }),
  any: (o: Meta = {}): Schema => ({ kind: 'any', ...o }),
};

/** Kazoo's validation error shape: the failing field, the rule it broke, and a message. */
export type ValidationErrors = Record<string, Record<string, { message: string; target?: unknown }>>;

export interface Validated<T = unknown> {
  value: T;
  errors: ValidationErrors;
}

/** Validates `input`, filling defaults. Unknown keys are kept unless `additional` is false. */
export function validate<T = unknown>(schema: Schema, input: unknown, path = ''): Validated<T> {
  const errors: ValidationErrors = {};
  const value = check(schema, input, path, errors);
  return { value: value as T, errors };
}

function fail(errors: ValidationErrors, path: string, rule: string, message: string, target?: unknown): undefined {
  const key = path || 'data';
  errors[key] = { ...errors[key], [rule]: target === undefined ? { message } : { message, target } };
  return undefined;
}

function check(schema: Schema, v: unknown, path: string, errors: ValidationErrors): unknown {
  switch (schema.kind) {
    case 'any':
      return v;
    case 'string':
      if (typeof v !== 'string') return fail(errors, path, 'type', 'Value is not of type string', 'string');
      if (schema.min !== undefined && v.length < schema.min) return fail(errors, path, 'minLength', `Value must be at least ${schema.min} characters`, schema.min);
      if (schema.max !== undefined && v.length > schema.max) return fail(errors, path, 'maxLength', `Value must be at most ${schema.max} characters`, schema.max);
      if (schema.enum && !schema.enum.includes(v)) return fail(errors, path, 'enum', `Value is not one of ${schema.enum.join(', ')}`, schema.enum);
      return v;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return fail(errors, path, 'type', 'Value is not of type integer', 'integer');
      if (schema.min !== undefined && v < schema.min) return fail(errors, path, 'minimum', `Value must be at least ${schema.min}`, schema.min);
      if (schema.max !== undefined && v > schema.max) return fail(errors, path, 'maximum', `Value must be at most ${schema.max}`, schema.max);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') return fail(errors, path, 'type', 'Value is not of type boolean', 'boolean');
      return v;
    case 'array': {
      if (!Array.isArray(v)) return fail(errors, path, 'type', 'Value is not of type array', 'array');
      if (schema.max !== undefined && v.length > schema.max) return fail(errors, path, 'maxItems', `At most ${schema.max} items`, schema.max);
      return v.map((item, i) => check(schema.items, item, `${path}.[${i}]`, errors));
    }
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(errors, path, 'type', 'Value is not of type object', 'object');
      const input = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        if (input[key] === undefined) fail(errors, join(path, key), 'required', 'Field is required but missing');
      }
      for (const [key, value] of Object.entries(input)) {
        const prop = schema.properties[key];
        if (prop) out[key] = check(prop, value, join(path, key), errors);
        else if (schema.additional === false) fail(errors, join(path, key), 'additionalProperties', 'Field is not allowed');
        else out[key] = value;
      }
      for (const [key, prop] of Object.entries(schema.properties)) {
        if (out[key] === undefined && 'default' in prop && prop.default !== undefined) {
          out[key] = check(prop, structuredClone(prop.default), join(path, key), errors);
        }
      }
      return out;
    }
    case 'union': {
      for (const option of schema.of) {
        const attempt: ValidationErrors = {};
        const result = check(option, v, path, attempt);
        if (Object.keys(attempt).length === 0) return result;
      }
      const kinds = schema.of.map((o) => o.kind).join(' or ');
      return fail(errors, path, 'type', `Value is not of type ${kinds}`, kinds);
    }
  }
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** The JSON Schema (OpenAPI 3.1) form of a schema. */
export function toJsonSchema(schema: Schema): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  if ('description' in schema && schema.description) base.description = schema.description;
  if ('default' in schema && schema.default !== undefined) base.default = schema.default;
  switch (schema.kind) {
    case 'any':
      return base;
    case 'string':
      return { ...base, type: 'string', ...(schema.min !== undefined && { minLength: schema.min }), ...(schema.max !== undefined && { maxLength: schema.max }), ...(schema.enum && { enum: schema.enum }) };
    case 'integer':
      return { ...base, type: 'integer', ...(schema.min !== undefined && { minimum: schema.min }), ...(schema.max !== undefined && { maximum: schema.max }) };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'array':
      return { ...base, type: 'array', items: toJsonSchema(schema.items), ...(schema.max !== undefined && { maxItems: schema.max }) };
    case 'object':
      return {
        ...base,
        type: 'object',
        properties: Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, toJsonSchema(v)])),
        ...(schema.required?.length && { required: schema.required }),
        ...(schema.additional === false && { additionalProperties: false }),
      };
    case 'union':
      return { ...base, oneOf: schema.of.map(toJsonSchema) };
  }
}
