import type { NodeChange } from '@xyflow/react';
import { describe, expect, it } from 'vitest';

import type { WorkflowDocument } from '../api/types';
import { catalogue } from '../test/catalogue';
import { boxAround, followGroups, membersOf, type GroupDrags } from './groups';
import { flowToDocument, nodeToFlow } from './serialize';
import { createEditorStore } from './store';
import type { AppNode } from './types';

const sized = (node: AppNode, width = 200, height = 100): AppNode => ({
  ...node,
  measured: { width, height },
});
const workflowNode = (id: string, x: number, y: number) =>
  sized(nodeToFlow({ id, type: 'model.chat', position: { x, y }, params: {} }, catalogue));
const group = (id: string, x: number, y: number, width: number, height: number) =>
  nodeToFlow({ id, type: 'ui.group', position: { x, y }, params: { title: 'G', width, height } }, catalogue);

const frame = group('g', 0, 0, 600, 400);
const inside = workflowNode('a', 50, 60);
const alsoInside = workflowNode('b', 300, 250);
const straddling = workflowNode('c', 500, 100); // right edge at 700: not inside
const outside = workflowNode('d', 900, 900);
const nodes = [frame, inside, alsoInside, straddling, outside];

const move = (id: string, x: number, y: number, dragging?: boolean): NodeChange<AppNode> => ({
  type: 'position',
  id,
  position: { x, y },
  dragging,
});

describe('group membership', () => {
  it('holds the nodes whose boxes lie entirely inside the group', () => {
    expect(membersOf(frame, nodes)).toEqual(['a', 'b']);
  });

  it('wraps a selection with padding and room for the title', () => {
    const box = boxAround([inside, alsoInside]);
    expect(box.x).toBeLessThan(50);
    expect(box.y).toBeLessThan(60 - 32);
    expect(box.x + box.width).toBeGreaterThan(500);
    expect(box.y + box.height).toBeGreaterThan(350);
    const wrapper = { ...group('w', box.x, box.y, box.width, box.height), measured: undefined };
    expect(membersOf(wrapper, [wrapper, inside, alsoInside])).toEqual(['a', 'b']);
  });
});

describe('followGroups', () => {
  it('moves the members by the group delta for the whole drag, membership fixed at its start', () => {
    const drags: GroupDrags = new Map();
    const first = followGroups([move('g', 10, 5, true)], nodes, drags);
    expect(first).toEqual([move('g', 10, 5, true), move('a', 60, 65, true), move('b', 310, 255, true)]);
    // Mid-drag, `a` appears to have left the group's box; it still belongs to this drag.
    const moved = nodes.map((node) => (node.id === 'a' ? { ...node, position: { x: 2000, y: 0 } } : node));
    const last = followGroups([move('g', 40, 20, false)], moved, drags);
    expect(last).toContainEqual(move('a', 90, 80, false));
    expect(last).toContainEqual(move('b', 340, 270, false));
    expect(drags.size).toBe(0);
  });

  it('leaves members that React Flow moves itself (selected with the group) alone', () => {
    const changes = followGroups([move('g', 10, 0, true), move('a', 70, 60, true)], nodes, new Map());
    expect(changes.filter((change) => change.type === 'position' && change.id === 'a')).toHaveLength(1);
  });

  it('ignores moves of ordinary nodes', () => {
    const changes = [move('a', 0, 0, true)];
    expect(followGroups(changes, nodes, new Map())).toBe(changes);
  });
});

describe('groups in the editor store', () => {
  const document: WorkflowDocument = {
    name: 'Groups',
    nodes: [
      { id: 'a', type: 'model.chat', position: { x: 100, y: 100 }, params: {} },
      { id: 'b', type: 'model.chat', position: { x: 400, y: 100 }, params: {} },
      { id: 'far', type: 'model.chat', position: { x: 2000, y: 2000 }, params: {} },
    ],
    edges: [],
  };

  it('groups the selection, then a group drag moves its nodes as one undo step', () => {
    const store = createEditorStore({ version: 1, document }, catalogue);
    const state = () => store.getState();
    state().onNodesChange(
      ['a', 'b', 'far'].map((id) => ({
        type: 'dimensions',
        id,
        dimensions: { width: 240, height: 120 },
      })),
    );
    state().onNodesChange([
      { type: 'select', id: 'a', selected: true },
      { type: 'select', id: 'b', selected: true },
    ]);
    const id = state().groupSelection();
    expect(id).toMatch(/^ui_group_/);
    const created = state().nodes[0]!;
    expect(created).toMatchObject({ id, type: 'nodeGroup', selected: true, zIndex: -1001 });
    expect(
      state()
        .nodes.filter((node) => node.selected)
        .map((node) => node.id),
    ).toEqual([id]);

    const undoBefore = state().history.past.length;
    const start = created.position;
    for (const [step, dragging] of [
      [1, true],
      [2, true],
      [3, false],
    ] as const) {
      state().onNodesChange([move(id!, start.x + 30 * step, start.y + 10 * step, dragging)]);
    }
    const at = (nodeId: string) => state().nodes.find((node) => node.id === nodeId)!.position;
    expect(at('a')).toEqual({ x: 190, y: 130 });
    expect(at('b')).toEqual({ x: 490, y: 130 });
    expect(at('far')).toEqual({ x: 2000, y: 2000 });
    expect(state().history.past.length).toBe(undoBefore + 1);

    state().undo();
    expect(at('a')).toEqual({ x: 100, y: 100 });
    expect(at(id!)).toEqual(start);
  });

  it('keeps the size in params in the document, and a resize is one undo step', () => {
    const store = createEditorStore({ version: 1, document }, catalogue);
    const id = store.getState().addNode('ui.group', { x: 0, y: 0 });
    const steps = store.getState().history.past.length;
    const resize = (width: number, resizing: boolean): NodeChange<AppNode> => ({
      type: 'dimensions',
      id,
      resizing,
      setAttributes: resizing || undefined,
      dimensions: { width, height: 250 },
    });
    store.getState().onNodesChange([resize(500, true)]);
    store.getState().onNodesChange([resize(520, true)]);
    store.getState().onNodesChange([resize(520, false)]);
    expect(store.getState().history.past.length).toBe(steps + 1);
    const saved = flowToDocument(store.getState()).nodes?.find((node) => node.id === id);
    expect(saved).toMatchObject({ type: 'ui.group', params: { title: 'Group', width: 520, height: 250 } });
    const reloaded = nodeToFlow(saved!, catalogue);
    expect(reloaded).toMatchObject({ width: 520, height: 250, data: { params: { title: 'Group' } } });
    expect(reloaded.data.params).not.toHaveProperty('width');
  });
});
