/** Which connections the canvas allows: typed ports, no self-loops, no duplicates. */
import type { Connection, Edge } from '@xyflow/react';

import { findNodeKind, portAccepts } from './nodeKinds';
import type { AppEdge, AppNode } from './types';

type Link = Connection | Edge;

export function canConnect(link: Link, nodes: readonly AppNode[], edges: readonly AppEdge[]): boolean {
  if (link.source === link.target) return false;
  const source = nodes.find((node) => node.id === link.source);
  const target = nodes.find((node) => node.id === link.target);
  if (!source || !target) return false;
  const output = findNodeKind(source.data.kind)?.outputs.find((p) => p.name === link.sourceHandle);
  const input = findNodeKind(target.data.kind)?.inputs.find((p) => p.name === link.targetHandle);
  // Unknown kinds (imported from a newer catalogue) are left to the server to judge.
  if (output && input && !portAccepts(input, output.type)) return false;
  return !edges.some(
    (edge) =>
      edge.source === link.source &&
      edge.target === link.target &&
      (edge.sourceHandle ?? null) === (link.sourceHandle ?? null) &&
      (edge.targetHandle ?? null) === (link.targetHandle ?? null),
  );
}
