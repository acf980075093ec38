/**
 * The part of JSON Schema (as pydantic writes it) that the params forms understand, and
 * `describeField`: what kind of control a (sub)schema needs, after resolving `$ref`s and
 * unwrapping the `anyOf: [X, {type: null}]` pydantic uses for optional fields.
 */

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  'x-nodeloom-credential'?: boolean;
}

export type FieldKind =
  | 'credential'
  | 'enum'
  | 'boolean'
  | 'integer'
  | 'number'
  | 'text'
  | 'textarea'
  | 'array'
  | 'object'
  | 'scalar'
  | 'json';

export interface FieldInfo {
  kind: FieldKind;
  /** The resolved, non-null branch. */
  schema: JsonSchema;
  nullable: boolean;
}

export const CREDENTIAL_KEY = '$credential';

/** Follow a local `$ref` (`#/$defs/Name`) against the root schema. */
export function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; current.$ref && depth < 32; depth++) {
    const path = current.$ref.replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const part of path) target = (target as Record<string, unknown> | undefined)?.[part];
    if (!target || typeof target !== 'object') return {};
    const { $ref: _ignored, ...rest } = current;
    current = { ...(target as JsonSchema), ...rest };
  }
  if (current.allOf?.length === 1 && current.allOf[0]) {
    const { allOf, ...rest } = current;
    current = { ...resolveRef(allOf[0]!, root), ...rest };
  }
  return current;
}

const isNullSchema = (schema: JsonSchema) => schema.type === 'null';

const typeOf = (schema: JsonSchema): string | undefined =>
  Array.isArray(schema.type) ? schema.type.find((type) => type !== 'null') : schema.type;

export function describeField(input: JsonSchema, root: JsonSchema): FieldInfo {
  const schema = resolveRef(input, root);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const nonNull = branches.filter((branch) => !isNullSchema(branch));
    const nullable = nonNull.length < branches.length;
    if (nonNull.length === 1 && nonNull[0]) {
      const { anyOf: _a, oneOf: _o, ...outer } = schema;
      const inner = describeField({ ...nonNull[0], ...outer }, root);
      return { ...inner, nullable: nullable || inner.nullable };
    }
    const resolved = nonNull.map((branch) => resolveRef(branch, root));
    const scalar = resolved.every((branch) =>
      ['string', 'number', 'integer', 'boolean'].includes(typeOf(branch) ?? ''),
    );
    return { kind: scalar ? 'scalar' : 'json', schema, nullable };
  }
  const nullable = Array.isArray(schema.type) && schema.type.includes('null');
  if (schema['x-nodeloom-credential']) return { kind: 'credential', schema, nullable };
  if (schema.enum) return { kind: 'enum', schema, nullable };
  switch (typeOf(schema)) {
    case 'boolean':
      return { kind: 'boolean', schema, nullable };
    case 'integer':
      return { kind: 'integer', schema, nullable };
    case 'number':
      return { kind: 'number', schema, nullable };
    case 'string':
      return { kind: schema.format === 'textarea' ? 'textarea' : 'text', schema, nullable };
    case 'array':
      return { kind: 'array', schema, nullable };
    case 'object':
      return { kind: schema.properties ? 'object' : 'json', schema, nullable };
    default:
      return { kind: 'json', schema, nullable };
  }
}

/** "chunk_size" → "Chunk size"; pydantic titles ("Chunk Size") are turned into sentence case. */
export function fieldLabel(name: string, schema: JsonSchema): string {
  const raw = schema.title && !schema.title.startsWith('$') ? schema.title : name.replace(/_/g, ' ');
  const sentence = raw.charAt(0).toUpperCase() + raw.slice(1).toLowerCase();
  return sentence.replace(/\b(url|id|json|csv|api)\b/gi, (word) => word.toUpperCase());
}

/** The value a new item of an array starts with. */
export function emptyValue(schema: JsonSchema, root: JsonSchema): unknown {
  const info = describeField(schema, root);
  if (info.schema.default !== undefined) return structuredClone(info.schema.default);
  switch (info.kind) {
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return info.schema.minimum ?? 0;
    case 'enum':
      return info.schema.enum?.[0] ?? null;
    case 'array':
      return [];
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const key of info.schema.required ?? []) {
        const property = info.schema.properties?.[key];
        if (property) result[key] = emptyValue(property, root);
      }
      return result;
    }
    default:
      return '';
  }
}
