/**
 * Validate params against their node type's JSON Schema (as pydantic writes it, draft
 * 2020-12) with Ajv, as the person types. Errors are keyed by a JSON pointer into the value
 * (`/rules/0/route`), the same pointers the backend's problems use under
 * `/nodes/N/params`, with one plain-English message per field.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import type { RegExpEngine } from 'ajv/dist/types';

import type { JsonSchema } from './schema';

export interface FieldError {
  pointer: string;
  message: string;
}

/** A pattern JavaScript cannot compile (pydantic's are Python regexes) is not checked here:
 * the backend checks it on save. */
const lenientRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => {
    try {
      return new RegExp(pattern, flags);
    } catch {
      return { test: () => true, toString: () => `unchecked:${pattern}` };
    }
  },
  { code: 'lenientRegExp' },
);

// Not strict: schemas carry pydantic's and Nodeloom's own keywords (`x-nodeloom-credential`,
// `discriminator`, `format: textarea`). Formats are the backend's to check.
const ajv = new Ajv2020({
  allErrors: true,
  strict: false,
  validateFormats: false,
  code: { regExp: lenientRegExp },
});

type Check = (value: unknown) => readonly ErrorObject[];

// One compiled validator per schema object: the catalogue keeps its schemas for its lifetime.
const compiled = new WeakMap<JsonSchema, Check>();

function checkerFor(schema: JsonSchema): Check {
  let check = compiled.get(schema);
  if (!check) {
    check = compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

function compile(schema: JsonSchema): Check {
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const unusable: ErrorObject = {
      instancePath: '',
      schemaPath: '#',
      keyword: 'schema',
      params: {},
      message: `the parameter schema cannot be checked here (${reason})`,
    };
    return () => [unusable];
  }
  return (value) => (validate(value) ? [] : (validate.errors ?? []));
}

/** The problems with `value` under `schema`: at most one per pointer, in schema order. */
export function validateParams(schema: JsonSchema, value: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of pickUnionBranches(checkerFor(schema)(value))) {
    const found = toFieldError(error);
    if (!seen.has(found.pointer)) {
      seen.add(found.pointer);
      errors.push(found);
    }
  }
  return errors;
}

/**
 * Ajv reports every branch of a failed `anyOf`/`oneOf`, followed by the union's own error.
 * Keep the branches the value's type fits (for `X | None`: X's bounds, not "must be
 * null"); when it fits none, one error listing the types it may have.
 */
function pickUnionBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  const kept: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') {
      kept.push(error);
      continue;
    }
    const at = error.instancePath;
    let start = kept.length;
    while (start > 0 && isWithin(kept[start - 1]!.instancePath, at)) start--;
    const branches = kept.splice(start);
    const fitting = branches.filter((branch) => !isTypeErrorAt(branch, at));
    if (fitting.length > 0) kept.push(...fitting);
    else kept.push(typeUnion(at, branches));
  }
  return kept;
}

const isWithin = (pointer: string, parent: string) => pointer === parent || pointer.startsWith(`${parent}/`);

const isTypeErrorAt = (error: ErrorObject, pointer: string) =>
  error.keyword === 'type' && error.instancePath === pointer;

/** One type error naming every type the union's branches allow ("null" only when alone:
 * a person clears the field for that). */
function typeUnion(pointer: string, branches: readonly ErrorObject[]): ErrorObject {
  const types = [...new Set(branches.flatMap((branch) => typesOf(branch)))];
  const named = types.filter((type) => type !== 'null');
  return {
    instancePath: pointer,
    schemaPath: '#',
    keyword: 'type',
    params: { type: named.length > 0 ? named : types },
  };
}

const typesOf = (error: ErrorObject): string[] => {
  const type: unknown = error.params.type;
  return Array.isArray(type) ? type.map(String) : type === undefined ? [] : [String(type)];
};

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

/** "a", "a or b", "a, b or c". */
function orList(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

type Params = Record<string, unknown>;

/** The message for an error at the value's own pointer, by keyword. */
const MESSAGES: Record<string, (params: Params, error: ErrorObject) => string> = {
  type: (_, error) => `Must be ${orList(typesOf(error).map((type) => TYPE_WORDS[type] ?? type))}.`,
  enum: (params) => `Must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}.`,
  const: (params) => `Must be ${String(params.allowedValue)}.`,
  minimum: (params) => `Must be at least ${String(params.limit)}.`,
  maximum: (params) => `Must be at most ${String(params.limit)}.`,
  exclusiveMinimum: (params) => `Must be more than ${String(params.limit)}.`,
  exclusiveMaximum: (params) => `Must be less than ${String(params.limit)}.`,
  minLength: (params) => (params.limit === 1 ? 'Required.' : `At least ${String(params.limit)} characters.`),
  maxLength: (params) => `At most ${String(params.limit)} characters.`,
  pattern: (params) => `Does not match the pattern ${String(params.pattern)}.`,
  minItems: (params) => `Needs at least ${String(params.limit)} items.`,
  maxItems: (params) => `At most ${String(params.limit)} items.`,
};

/** Keywords the form has no wording for (multipleOf, uniqueItems, ...): Ajv's own. */
function ajvMessage(error: ErrorObject): string {
  const message = error.message ?? `fails ${error.keyword}`;
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

function toFieldError(error: ErrorObject): FieldError {
  const params = error.params as Params;
  const child = (key: unknown) => `${error.instancePath}/${escape(String(key))}`;
  // These two point at the object; the form shows them at the property they name.
  if (error.keyword === 'required') {
    return { pointer: child(params.missingProperty), message: 'Required.' };
  }
  if (error.keyword === 'additionalProperties') {
    const key = String(params.additionalProperty);
    return { pointer: child(key), message: `Unknown field ${key}.` };
  }
  const message = MESSAGES[error.keyword]?.(params, error) ?? ajvMessage(error);
  return { pointer: error.instancePath, message };
}

/** RFC 6901 escaping of one pointer segment. */
export const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
