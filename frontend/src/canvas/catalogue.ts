/**
 * The node-type catalogue as the canvas uses it: built once from `GET /api/v1/node-types`,
 * indexed by type id, grouped by category, searchable, and the port compatibility table.
 * A new node type on the server needs no frontend code.
 */
import type { NodeTypeCatalogueResponse, NodeTypeInfo } from '../api/types';
import type { JsonSchema } from '../schema-form/schema';

export interface PortSpec {
  name: string;
  type: string;
  title: string;
  required: boolean;
  multiple: boolean;
  description: string;
}

export interface NodeTypeSpec {
  type: string;
  title: string;
  category: string;
  description: string;
  paramsSchema: JsonSchema;
  inputs: readonly PortSpec[];
  outputs: readonly PortSpec[];
  dynamicInputsFrom: string | null;
  dynamicOutputsFrom: string | null;
}

export interface Catalogue {
  types: readonly NodeTypeSpec[];
  byType: ReadonlyMap<string, NodeTypeSpec>;
  categories: readonly (readonly [string, readonly NodeTypeSpec[]])[];
  /** source port type → target port types it may feed. */
  compatibility: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Categories in the order people build a workflow; unknown ones follow alphabetically. */
const CATEGORY_ORDER = ['Input / Output', 'Prompts', 'Models', 'Data', 'Vector stores', 'Logic', 'Notes'];

type WireCatalogue = NodeTypeCatalogueResponse;
type WireType = NodeTypeInfo;
type WirePort = WireType['inputs'][number];

function toPort(port: WirePort): PortSpec {
  return {
    name: port.name,
    type: port.type,
    title: port.title || port.name,
    required: port.required ?? true,
    multiple: port.multiple ?? false,
    description: port.description ?? '',
  };
}

function toSpec(wire: WireType): NodeTypeSpec {
  return {
    type: wire.type_id,
    title: wire.title,
    category: wire.category,
    description: wire.description ?? '',
    paramsSchema: (wire.params_schema ?? {}) as JsonSchema,
    inputs: wire.inputs.map(toPort),
    outputs: wire.outputs.map(toPort),
    dynamicInputsFrom: wire.dynamic_inputs_from ?? null,
    dynamicOutputsFrom: wire.dynamic_outputs_from ?? null,
  };
}

const categoryRank = (category: string) => {
  const index = CATEGORY_ORDER.indexOf(category);
  return index === -1 ? CATEGORY_ORDER.length : index;
};

export function buildCatalogue(wire: WireCatalogue, extra: readonly NodeTypeSpec[] = []): Catalogue {
  const types = [...wire.items.map(toSpec), ...extra];
  const groups = new Map<string, NodeTypeSpec[]>();
  for (const spec of types) groups.set(spec.category, [...(groups.get(spec.category) ?? []), spec]);
  const categories = [...groups.entries()].sort(
    ([a], [b]) => categoryRank(a) - categoryRank(b) || a.localeCompare(b),
  );
  const compatibility = new Map(
    Object.entries(wire.port_compatibility ?? {}).map(([source, targets]) => [source, new Set(targets)]),
  );
  return { types, byType: new Map(types.map((spec) => [spec.type, spec])), categories, compatibility };
}

/** Whether an output of type `source` may feed an input of type `target` (the server's table). */
export function portsCompatible(catalogue: Catalogue, source: string, target: string): boolean {
  const targets = catalogue.compatibility.get(source);
  if (!targets) return source === target || source === 'any' || target === 'any';
  return targets.has(target);
}

/** Types whose id, title, description or category contains every word of `query`. */
export function searchCatalogue(catalogue: Catalogue, query: string): NodeTypeSpec[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...catalogue.types];
  const scored = catalogue.types
    .map((spec) => {
      const title = spec.title.toLowerCase();
      const haystack = `${spec.type} ${title} ${spec.description} ${spec.category}`.toLowerCase();
      if (!words.every((word) => haystack.includes(word))) return null;
      const score = (title.startsWith(words[0] ?? '') ? 0 : 1) + (title.includes(words[0] ?? '') ? 0 : 1);
      return { spec, score };
    })
    .filter((hit): hit is { spec: NodeTypeSpec; score: number } => hit !== null);
  return scored.sort((a, b) => a.score - b.score).map((hit) => hit.spec);
}

/** The name a person sees for a node: their label, else the type's title, else the type id. */
export function nodeTitle(catalogue: Catalogue | undefined, kind: string, label?: string): string {
  return label?.trim() || catalogue?.byType.get(kind)?.title || kind;
}
