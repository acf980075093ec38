/** What changed between two workflow documents: nodes and edges added, removed, changed (by id). */
import type { DocumentEdge, DocumentNode, WorkflowDocument } from '../api/types';

export interface DocumentDiff {
  nodes: { added: DocumentNode[]; removed: DocumentNode[]; changed: DocumentNode[]; moved: DocumentNode[] };
  edges: { added: DocumentEdge[]; removed: DocumentEdge[]; changed: DocumentEdge[] };
}

const stable = (value: unknown): string =>
  JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : item,
  );

function compare<T extends { id: string }>(
  before: readonly T[],
  after: readonly T[],
  content: (item: T) => unknown,
) {
  const old = new Map(before.map((item) => [item.id, item]));
  const now = new Map(after.map((item) => [item.id, item]));
  return {
    added: after.filter((item) => !old.has(item.id)),
    removed: before.filter((item) => !now.has(item.id)),
    changed: after.filter(
      (item) => old.has(item.id) && stable(content(old.get(item.id)!)) !== stable(content(item)),
    ),
  };
}

/** Changes that turn `from` into `to`. */
export function diffDocuments(from: WorkflowDocument, to: WorkflowDocument): DocumentDiff {
  const nodeContent = ({ type, label, params, settings }: DocumentNode) => ({
    type,
    label: label ?? null,
    params: params ?? {},
    settings: settings ?? null,
  });
  const before = from.nodes ?? [];
  const after = to.nodes ?? [];
  const nodes = compare(before, after, nodeContent);
  const old = new Map(before.map((node) => [node.id, node]));
  const moved = after.filter((node) => {
    const previous = old.get(node.id);
    return previous && (previous.position.x !== node.position.x || previous.position.y !== node.position.y);
  });
  const edges = compare(
    from.edges ?? [],
    to.edges ?? [],
    ({ source, sourceHandle, target, targetHandle }) => ({
      source,
      sourceHandle: sourceHandle ?? null,
      target,
      targetHandle: targetHandle ?? null,
    }),
  );
  return { nodes: { ...nodes, moved }, edges };
}

export const isEmptyDiff = (diff: DocumentDiff) =>
  [...Object.values(diff.nodes), ...Object.values(diff.edges)].every((list) => list.length === 0);
