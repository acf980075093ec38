/**
 * Validate a value against the form's JSON Schema subset, as the person types. Errors are
 * keyed by a JSON pointer into the value (`/rules/0/route`), the same pointers the
 * backend's problems use under `/nodes/N/params`.
 */
import { describeField, resolveRef, type JsonSchema } from './schema';

export interface FieldError {
  pointer: string;
  message: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isRecord(value);
    default:
      return true;
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

export function validateValue(
  schema: JsonSchema,
  root: JsonSchema,
  value: unknown,
  pointer = '',
): FieldError[] {
  const resolved = resolveRef(schema, root);
  const branches = resolved.anyOf ?? resolved.oneOf;
  if (branches) {
    const results = branches.map((branch) => validateValue(branch, root, value, pointer));
    if (results.some((errors) => errors.length === 0)) return [];
    // Report the branch that matches the value's type, else the first.
    const info = describeField(resolved, root);
    return info.nullable && value !== null
      ? validateValue(info.schema, root, value, pointer)
      : (results[0] ?? []);
  }
  const errors: FieldError[] = [];
  const fail = (message: string) => errors.push({ pointer, message });
  const types =
    resolved.type === undefined ? [] : Array.isArray(resolved.type) ? resolved.type : [resolved.type];
  if (types.length > 0 && !types.some((type) => typeMatches(type, value))) {
    fail(`Must be ${types.map((type) => TYPE_WORDS[type] ?? type).join(' or ')}.`);
    return errors;
  }
  if (resolved.enum && !resolved.enum.some((option) => option === value)) {
    fail(`Must be one of ${resolved.enum.map(String).join(', ')}.`);
  }
  if (resolved.const !== undefined && resolved.const !== value) fail(`Must be ${String(resolved.const)}.`);
  if (typeof value === 'number') validateNumber(resolved, value, fail);
  if (typeof value === 'string') validateString(resolved, value, fail);
  if (Array.isArray(value)) {
    if (resolved.minItems !== undefined && value.length < resolved.minItems)
      fail(`Needs at least ${resolved.minItems} items.`);
    if (resolved.maxItems !== undefined && value.length > resolved.maxItems)
      fail(`At most ${resolved.maxItems} items.`);
    if (resolved.items) {
      value.forEach((item, index) =>
        errors.push(...validateValue(resolved.items!, root, item, `${pointer}/${index}`)),
      );
    }
  }
  if (isRecord(value)) errors.push(...validateObject(resolved, root, value, pointer));
  return errors;
}

function validateNumber(schema: JsonSchema, value: number, fail: (message: string) => void) {
  if (schema.minimum !== undefined && value < schema.minimum) fail(`Must be at least ${schema.minimum}.`);
  if (schema.maximum !== undefined && value > schema.maximum) fail(`Must be at most ${schema.maximum}.`);
  if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
    fail(`Must be more than ${schema.exclusiveMinimum}.`);
  }
  if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) {
    fail(`Must be less than ${schema.exclusiveMaximum}.`);
  }
}

function validateString(schema: JsonSchema, value: string, fail: (message: string) => void) {
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength) {
    fail(schema.minLength === 1 ? 'Required.' : `At least ${schema.minLength} characters.`);
    return;
  }
  if (schema.maxLength !== undefined && length > schema.maxLength)
    fail(`At most ${schema.maxLength} characters.`);
  if (schema.pattern !== undefined) {
    let pattern: RegExp | null = null;
    try {
      pattern = new RegExp(schema.pattern, 'u');
    } catch {
      pattern = null;
    }
    if (pattern && !pattern.test(value)) fail(`Does not match the pattern ${schema.pattern}.`);
  }
}

function validateObject(
  schema: JsonSchema,
  root: JsonSchema,
  value: Record<string, unknown>,
  pointer: string,
) {
  const errors: FieldError[] = [];
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) errors.push({ pointer: `${pointer}/${escape(key)}`, message: 'Required.' });
  }
  for (const [key, item] of Object.entries(value)) {
    const property = schema.properties?.[key];
    if (property) {
      errors.push(...validateValue(property, root, item, `${pointer}/${escape(key)}`));
    } else if (schema.additionalProperties === false) {
      errors.push({ pointer: `${pointer}/${escape(key)}`, message: `Unknown field ${key}.` });
    }
  }
  return errors;
}

/** RFC 6901 escaping of one pointer segment. */
export const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
