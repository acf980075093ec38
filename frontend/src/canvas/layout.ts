/** Auto-layout left to right (dagre), and aligning a selection. Pure: positions in, positions out. */
import dagre from '@dagrejs/dagre';
import type { XYPosition } from '@xyflow/react';

import { DEFAULT_NODE_SIZE } from './placement';
import type { AppEdge, AppNode } from './types';

const sizeOf = (node: AppNode) => ({
  width: node.measured?.width ?? DEFAULT_NODE_SIZE.width,
  height: node.measured?.height ?? DEFAULT_NODE_SIZE.height,
});

/** New top-left positions for `nodes`, ranked left to right along `edges`. */
export function layoutLeftToRight(
  nodes: readonly AppNode[],
  edges: readonly AppEdge[],
): Map<string, XYPosition> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((node) => node.id));
  for (const node of nodes) graph.setNode(node.id, sizeOf(node));
  for (const edge of edges) {
    if (ids.has(edge.source) && ids.has(edge.target)) graph.setEdge(edge.source, edge.target);
  }
  dagre.layout(graph);
  // Keep the layout where the graph was: anchor on the old top-left corner.
  const left = Math.min(...nodes.map((node) => node.position.x));
  const top = Math.min(...nodes.map((node) => node.position.y));
  const placed = nodes.map((node) => {
    const { x, y } = graph.node(node.id);
    const { width, height } = sizeOf(node);
    return [node.id, { x: x - width / 2, y: y - height / 2 }] as const;
  });
  const minX = Math.min(...placed.map(([, p]) => p.x));
  const minY = Math.min(...placed.map(([, p]) => p.y));
  return new Map(
    placed.map(([id, p]) => [id, { x: Math.round(p.x - minX + left), y: Math.round(p.y - minY + top) }]),
  );
}

export type Alignment =
  'left' | 'right' | 'top' | 'bottom' | 'centre-x' | 'centre-y' | 'distribute-x' | 'distribute-y';

export function align(nodes: readonly AppNode[], how: Alignment): Map<string, XYPosition> {
  const result = new Map<string, XYPosition>();
  if (nodes.length < 2) return result;
  const boxes = nodes.map((node) => ({ node, ...sizeOf(node), ...node.position }));
  const minX = Math.min(...boxes.map((b) => b.x));
  const maxX = Math.max(...boxes.map((b) => b.x + b.width));
  const minY = Math.min(...boxes.map((b) => b.y));
  const maxY = Math.max(...boxes.map((b) => b.y + b.height));
  for (const box of boxes) {
    let { x, y } = box;
    if (how === 'left') x = minX;
    if (how === 'right') x = maxX - box.width;
    if (how === 'top') y = minY;
    if (how === 'bottom') y = maxY - box.height;
    if (how === 'centre-x') x = (minX + maxX) / 2 - box.width / 2;
    if (how === 'centre-y') y = (minY + maxY) / 2 - box.height / 2;
    result.set(box.node.id, { x, y });
  }
  if (how === 'distribute-x' || how === 'distribute-y') {
    const axis = how === 'distribute-x' ? 'x' : 'y';
    const size = axis === 'x' ? 'width' : 'height';
    const sorted = [...boxes].sort((a, b) => a[axis] - b[axis]);
    const span = (axis === 'x' ? maxX - minX : maxY - minY) - sorted.reduce((sum, b) => sum + b[size], 0);
    const gap = span / (sorted.length - 1);
    let cursor = axis === 'x' ? minX : minY;
    for (const box of sorted) {
      result.set(box.node.id, axis === 'x' ? { x: cursor, y: box.y } : { x: box.x, y: cursor });
      cursor += box[size] + gap;
    }
  }
  return result;
}
