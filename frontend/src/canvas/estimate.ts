/**
 * Size and handle estimates for nodes React Flow has not measured yet. React Flow renders
 * every node once to measure its handles, even with `onlyRenderVisibleElements`; a node
 * that carries `initialWidth`/`initialHeight` and `handles` is only rendered when it comes
 * into view. The figures mirror canvas.module.css (`.node`, `.nodeHeader`, `.summary`,
 * `.ports`); the store drops `handles` as soon as a node is measured, so a wrong guess
 * only ever affects where an edge meets a node that is off screen.
 */
import type { NodeHandle } from '@xyflow/react';
import { Position } from '@xyflow/react';

import type { Catalogue } from './catalogue';
import { portsFor } from './ports';
import { summarise } from './summary';
import type { AppNode } from './types';

/** Above this many nodes the canvas renders only what is in view (and estimates the rest). */
export const VIRTUALISE_FROM = 250;

const NODE_WIDTH = 240;
const BORDER = 1;
const HEADER = 50.9;
const SUMMARY_PADDING = 14 + 1;
const SUMMARY_ROW = 16;
const SUMMARY_GAP = 2;
const PORTS_PADDING = 12 + 1;
const PORT_ROW = 24;
const HANDLE = 12;
const NOTE_HEIGHT = 120;

/** Nodes as loaded: with estimates when the canvas will virtualise them. */
export function estimateLayout(nodes: AppNode[], catalogue: Catalogue): AppNode[] {
  return nodes.length > VIRTUALISE_FROM ? nodes.map((node) => withEstimatedLayout(node, catalogue)) : nodes;
}

/** Measured nodes lose their estimated handles (React Flow would keep resetting to them). */
export function dropEstimates(nodes: AppNode[], measured: ReadonlySet<string>): AppNode[] {
  return nodes.map((node) => {
    if (!node.handles || !measured.has(node.id)) return node;
    const { handles: _estimate, ...rest } = node;
    return rest as AppNode;
  });
}

/** `node` with an estimated size and handles, unless it is measured already. */
export function withEstimatedLayout(node: AppNode, catalogue: Catalogue): AppNode {
  if (node.measured?.width) return node;
  if (node.type === 'nodeGroup') return { ...node, handles: [] } as AppNode; // sized by the document
  const spec = catalogue.byType.get(node.data.kind);
  if (node.type === 'note' || !spec) {
    return { ...node, initialWidth: NODE_WIDTH, initialHeight: NOTE_HEIGHT, handles: [] } as AppNode;
  }
  const { inputs, outputs } = portsFor(spec, node.data.params);
  const collapsed = Boolean(node.data.collapsed);
  const summaryRows = collapsed ? 0 : summarise(spec, node.data.params).length;
  const summary = summaryRows
    ? SUMMARY_PADDING + summaryRows * SUMMARY_ROW + (summaryRows - 1) * SUMMARY_GAP
    : 0;
  const rows = inputs.length + outputs.length;
  const ports = collapsed || rows === 0 ? 0 : PORTS_PADDING + rows * PORT_ROW;
  const height = 2 * BORDER + HEADER + summary + ports;
  const firstRow = BORDER + HEADER + summary + 1 + 6;
  const handleAt = (row: number) =>
    (collapsed ? height / 2 : firstRow + row * PORT_ROW + PORT_ROW / 2) - HANDLE / 2;
  const handles: NodeHandle[] = [
    ...inputs.map((port, row) => ({
      id: port.name,
      type: 'target' as const,
      position: Position.Left,
      x: -HANDLE / 2 + BORDER,
      y: handleAt(row),
      width: HANDLE,
      height: HANDLE,
    })),
    ...outputs.map((port, row) => ({
      id: port.name,
      type: 'source' as const,
      position: Position.Right,
      x: NODE_WIDTH - HANDLE / 2 - BORDER,
      y: handleAt(inputs.length + row),
      width: HANDLE,
      height: HANDLE,
    })),
  ];
  return { ...node, initialWidth: NODE_WIDTH, initialHeight: height, handles } as AppNode;
}
