/** A compact "key params" line for a node card: what the person set, else notable defaults. */
import type { NodeTypeSpec } from './catalogue';
import { CREDENTIAL_KEY, fieldLabel } from '../schema-form/schema';

export interface SummaryItem {
  label: string;
  value: string;
}

const MAX_ITEMS = 3;
const MAX_CHARS = 36;

function show(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') {
    const line = value.replace(/\s+/g, ' ').trim();
    return line.length > MAX_CHARS ? `${line.slice(0, MAX_CHARS - 1)}…` : line;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value))
    return value.length === 0 ? null : `${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object' && CREDENTIAL_KEY in value)
    return `🔑 ${String((value as Record<string, unknown>)[CREDENTIAL_KEY])}`;
  return '{…}';
}

export function summarise(spec: NodeTypeSpec, params: Record<string, unknown>): SummaryItem[] {
  const properties = spec.paramsSchema.properties ?? {};
  const items: SummaryItem[] = [];
  for (const [key, schema] of Object.entries(properties)) {
    const value = show(params[key]);
    if (value !== null) items.push({ label: fieldLabel(key, schema), value });
  }
  if (items.length === 0) {
    for (const [key, schema] of Object.entries(properties)) {
      const value = schema.enum ? show(schema.default) : null;
      if (value !== null) items.push({ label: fieldLabel(key, schema), value });
    }
  }
  return items.slice(0, MAX_ITEMS);
}
