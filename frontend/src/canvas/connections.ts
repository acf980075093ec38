/**
 * Which connections the canvas allows, and why not: typed ports (the server's
 * compatibility table), one edge per single input, no duplicates, no self-loops, no cycles.
 */
import type { Connection, Edge } from '@xyflow/react';

import { portsCompatible, type Catalogue, type PortSpec } from './catalogue';
import { portsFor } from './ports';
import type { AppEdge, AppNode } from './types';

type Link = Pick<Connection | Edge, 'source' | 'target' | 'sourceHandle' | 'targetHandle'>;

export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

const refuse = (reason: string): ConnectionCheck => ({ ok: false, reason });

export function findPort(
  catalogue: Catalogue,
  node: AppNode,
  side: 'inputs' | 'outputs',
  name: string | null | undefined,
): PortSpec | undefined {
  const spec = catalogue.byType.get(node.data.kind);
  if (!spec) return undefined;
  return portsFor(spec, node.data.params)[side].find((port) => port.name === name);
}

/** Whether `from` can reach `to` following edges forwards. */
export function reaches(from: string, to: string, edges: readonly Link[]): boolean {
  const next = new Map<string, string[]>();
  for (const edge of edges) next.set(edge.source, [...(next.get(edge.source) ?? []), edge.target]);
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length) {
    const current = stack.pop()!;
    if (current === to) return true;
    for (const target of next.get(current) ?? []) {
      if (!seen.has(target)) {
        seen.add(target);
        stack.push(target);
      }
    }
  }
  return false;
}

/** Every node from which `id` can be reached (itself included): connecting id → any of them closes a cycle. */
export function upstreamOf(id: string, edges: readonly Link[]): Set<string> {
  const previous = new Map<string, string[]>();
  for (const edge of edges) previous.set(edge.target, [...(previous.get(edge.target) ?? []), edge.source]);
  const seen = new Set<string>([id]);
  const stack = [id];
  while (stack.length) {
    for (const source of previous.get(stack.pop()!) ?? []) {
      if (!seen.has(source)) {
        seen.add(source);
        stack.push(source);
      }
    }
  }
  return seen;
}

export function checkConnection(
  link: Link,
  nodes: readonly AppNode[],
  edges: readonly AppEdge[],
  catalogue: Catalogue,
  replacing?: string,
): ConnectionCheck {
  if (link.source === link.target) return refuse('A node cannot connect to itself.');
  const source = nodes.find((node) => node.id === link.source);
  const target = nodes.find((node) => node.id === link.target);
  if (!source || !target) return refuse('Both ends must be nodes on this canvas.');
  const others = replacing ? edges.filter((edge) => edge.id !== replacing) : edges;
  const output = findPort(catalogue, source, 'outputs', link.sourceHandle);
  const input = findPort(catalogue, target, 'inputs', link.targetHandle);
  if (output && input && !portsCompatible(catalogue, output.type, input.type)) {
    return refuse(
      `${output.type} cannot feed ${input.type}: "${output.title}" gives ${output.type}, "${input.title}" takes ${input.type}.`,
    );
  }
  const sameInput = others.filter(
    (edge) => edge.target === link.target && (edge.targetHandle ?? null) === (link.targetHandle ?? null),
  );
  if (
    sameInput.some(
      (edge) => edge.source === link.source && (edge.sourceHandle ?? null) === (link.sourceHandle ?? null),
    )
  ) {
    return refuse('These ports are already connected.');
  }
  if (input && !input.multiple && sameInput.length > 0) {
    return refuse(`"${input.title}" takes one connection; delete the existing one first.`);
  }
  if (reaches(link.target, link.source, others)) {
    return refuse('That would close a cycle: workflows run left to right and never loop back.');
  }
  return { ok: true };
}
