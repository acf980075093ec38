/**
 * Groups: a canvas-only node type (`ui.group`) the engine ignores — a titled, resizable
 * rectangle drawn behind the nodes. Dragging a group moves the nodes whose boxes lay inside
 * it when the drag began by the same delta. Membership is decided geometrically at drag
 * start, so nothing but the group's own position and size is ever stored.
 */
import type { NodeChange, NodePositionChange, XYPosition } from '@xyflow/react';

import type { NodeTypeSpec } from './catalogue';
import { DEFAULT_NODE_SIZE } from './placement';
import { GROUP_TYPE, type AppNode } from './types';

export const GROUP_COLORS = ['gray', 'blue', 'teal', 'green', 'yellow', 'orange', 'red', 'violet'] as const;
export const GROUP_DEFAULT_SIZE = { width: 480, height: 300 };
export const GROUP_MIN_SIZE = { width: 160, height: 100 };
/** Below every node, even when selected (React Flow adds 1000 to a selected node's z). */
export const GROUP_Z_INDEX = -1001;
/** Room around the nodes a new group wraps; the top also leaves space for the title. */
const PADDING = 32;
const TITLE_SPACE = 36;

export const GROUP_SPEC: NodeTypeSpec = {
  type: GROUP_TYPE,
  title: 'Group',
  category: 'Notes',
  description: 'A titled frame behind nodes; dragging it moves the nodes inside. Never run.',
  paramsSchema: {
    type: 'object',
    properties: {
      title: { type: 'string', title: 'Title', description: 'Shown at the top of the group.' },
      color: { type: 'string', title: 'Colour', enum: [...GROUP_COLORS], default: 'gray' },
    },
  },
  inputs: [],
  outputs: [],
  dynamicInputsFrom: null,
  dynamicOutputsFrom: null,
};

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const isGroup = (node: AppNode): boolean => node.type === 'nodeGroup';

export function groupColor(value: unknown): string {
  return GROUP_COLORS.find((color) => color === value) ?? 'gray';
}

/** A node's rectangle in flow coordinates: measured size, else set size, else an estimate. */
export function nodeBox(node: AppNode): Box {
  return {
    x: node.position.x,
    y: node.position.y,
    width: node.measured?.width ?? node.width ?? node.initialWidth ?? DEFAULT_NODE_SIZE.width,
    height: node.measured?.height ?? node.height ?? node.initialHeight ?? DEFAULT_NODE_SIZE.height,
  };
}

const contains = (outer: Box, inner: Box) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;

/** The ids of the nodes (groups included) whose boxes lie entirely inside `group`'s. */
export function membersOf(group: AppNode, nodes: readonly AppNode[]): string[] {
  const frame = nodeBox(group);
  return nodes
    .filter((node) => node.id !== group.id && contains(frame, nodeBox(node)))
    .map((node) => node.id);
}

/** Where a new group goes to wrap `nodes`, with room for its title. */
export function boxAround(nodes: readonly AppNode[]): Box {
  const boxes = nodes.map(nodeBox);
  const left = Math.min(...boxes.map((box) => box.x)) - PADDING;
  const top = Math.min(...boxes.map((box) => box.y)) - PADDING - TITLE_SPACE;
  const right = Math.max(...boxes.map((box) => box.x + box.width)) + PADDING;
  const bottom = Math.max(...boxes.map((box) => box.y + box.height)) + PADDING;
  return {
    x: Math.round(left),
    y: Math.round(top),
    width: Math.round(right - left),
    height: Math.round(bottom - top),
  };
}

/** Groups being dragged: where each group and its members were when the drag began. */
export type GroupDrags = Map<string, { start: XYPosition; members: Map<string, XYPosition> }>;

/**
 * `changes` plus a position change for each member of every group that moves, by the
 * group's delta since its drag began. Members React Flow moves already (selected along
 * with the group) are left alone. `drags` remembers members from the first step of a drag
 * to its last (`dragging: false`); a move that is not a drag (a nudge) is one step.
 */
export function followGroups(
  changes: NodeChange<AppNode>[],
  nodes: readonly AppNode[],
  drags: GroupDrags,
): NodeChange<AppNode>[] {
  const moves = changes.filter(
    (change): change is NodePositionChange => change.type === 'position' && Boolean(change.position),
  );
  if (moves.length === 0) return changes;
  const moving = new Set(moves.map((change) => change.id));
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const extra: NodePositionChange[] = [];
  for (const change of moves) {
    const group = byId.get(change.id);
    if (!group || !isGroup(group) || !change.position) continue;
    const drag = drags.get(group.id) ?? startDrag(group, nodes, byId);
    if (change.dragging) drags.set(group.id, drag);
    else drags.delete(group.id);
    const dx = change.position.x - drag.start.x;
    const dy = change.position.y - drag.start.y;
    for (const [id, start] of drag.members) {
      if (moving.has(id)) continue;
      moving.add(id);
      extra.push({
        type: 'position',
        id,
        position: { x: start.x + dx, y: start.y + dy },
        dragging: change.dragging,
      });
    }
  }
  return extra.length ? [...changes, ...extra] : changes;
}

function startDrag(group: AppNode, nodes: readonly AppNode[], byId: ReadonlyMap<string, AppNode>) {
  const members = new Map<string, XYPosition>();
  for (const id of membersOf(group, nodes)) {
    const member = byId.get(id);
    if (member) members.set(id, member.position);
  }
  return { start: group.position, members };
}
