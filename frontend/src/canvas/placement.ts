/** Where a new node goes: centred in view, stepping aside so it never covers another node. */
import type { XYPosition } from '@xyflow/react';

import type { AppNode } from './types';

/** Size assumed for nodes not yet measured (the card is 232px wide). */
export const DEFAULT_NODE_SIZE = { width: 232, height: 110 };
const GAP = 32;

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlaps = (a: Rect, b: Rect) =>
  a.x < b.x + b.width + GAP &&
  b.x < a.x + a.width + GAP &&
  a.y < b.y + b.height + GAP &&
  b.y < a.y + a.height + GAP;

function rectOf(node: AppNode): Rect {
  return {
    x: node.position.x,
    y: node.position.y,
    width: node.measured?.width ?? DEFAULT_NODE_SIZE.width,
    height: node.measured?.height ?? DEFAULT_NODE_SIZE.height,
  };
}

/**
 * The first free slot, scanning outwards from `centre` (the view's centre in flow
 * coordinates) on a grid one node wide and one node tall.
 */
export function placeNewNode(centre: XYPosition, nodes: readonly AppNode[]): XYPosition {
  const { width, height } = DEFAULT_NODE_SIZE;
  const origin = { x: Math.round(centre.x - width / 2), y: Math.round(centre.y - height / 2) };
  const taken = nodes.map(rectOf);
  const stepX = width + GAP * 2;
  const stepY = height + GAP * 2;
  for (let ring = 0; ring < 12; ring++) {
    for (const [dx, dy] of ringCells(ring)) {
      const candidate = { x: origin.x + dx * stepX, y: origin.y + dy * stepY, width, height };
      if (!taken.some((rect) => overlaps(candidate, rect))) return { x: candidate.x, y: candidate.y };
    }
  }
  return origin;
}

/** Grid cells at Chebyshev distance `ring`, right-hand side first so flows grow left to right. */
function ringCells(ring: number): [number, number][] {
  if (ring === 0) return [[0, 0]];
  const cells: [number, number][] = [];
  for (let dy = -ring; dy <= ring; dy++) {
    for (let dx = -ring; dx <= ring; dx++) {
      if (Math.max(Math.abs(dx), Math.abs(dy)) === ring) cells.push([dx, dy]);
    }
  }
  return cells.sort((a, b) => Math.abs(a[1]) - Math.abs(b[1]) || b[0] - a[0]);
}
