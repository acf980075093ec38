import { describe, expect, it } from 'vitest';

import type { WorkflowDocument } from '../api/types';
import { catalogue } from '../test/catalogue';
import { VIRTUALISE_FROM } from './estimate';
import { createEditorStore } from './store';

const big = (count: number): WorkflowDocument => ({
  name: 'Big',
  nodes: Array.from({ length: count }, (_, index) => ({
    id: `n${index}`,
    type: 'prompt.template',
    position: { x: index * 300, y: 0 },
    params: { template: '{a} and {b}' },
  })),
  edges: [],
});

describe('layout estimates', () => {
  it('are given to every node of a workflow the canvas virtualises', () => {
    const node = createEditorStore({ version: 1, document: big(VIRTUALISE_FROM + 1) }, catalogue).getState()
      .nodes[0];
    expect(node?.initialWidth).toBe(240);
    expect(node?.handles?.map((handle) => [handle.id, handle.type])).toEqual([
      ['a', 'target'],
      ['b', 'target'],
      ['prompt', 'source'],
    ]);
    const [a, b] = node?.handles ?? [];
    expect((b?.y ?? 0) - (a?.y ?? 0)).toBe(24);
  });

  it('are not used for small workflows', () => {
    const node = createEditorStore({ version: 1, document: big(3) }, catalogue).getState().nodes[0];
    expect(node?.handles).toBeUndefined();
  });

  it('are dropped once React Flow has measured the node, without an edit', () => {
    const store = createEditorStore({ version: 1, document: big(VIRTUALISE_FROM + 1) }, catalogue);
    store
      .getState()
      .onNodesChange([{ type: 'dimensions', id: 'n0', dimensions: { width: 240, height: 170 } }]);
    const [first, second] = store.getState().nodes;
    expect(first?.handles).toBeUndefined();
    expect(first?.measured).toEqual({ width: 240, height: 170 });
    expect(second?.handles).toHaveLength(3);
    expect(store.getState().history.past).toHaveLength(0);
    expect(store.getState().toDocument().nodes?.[0]).not.toHaveProperty('handles');
  });
});
