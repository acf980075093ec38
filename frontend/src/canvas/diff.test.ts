import { describe, expect, it } from 'vitest';

import type { WorkflowDocument } from '../api/types';
import { diffDocuments, isEmptyDiff } from './diff';

const base: WorkflowDocument = {
  name: 'A',
  nodes: [
    { id: 'a', type: 'io.input', position: { x: 0, y: 0 }, params: { name: 'q' } },
    { id: 'b', type: 'model.chat', position: { x: 1, y: 0 }, params: {} },
  ],
  edges: [{ id: 'e', source: 'a', sourceHandle: 'value', target: 'b', targetHandle: 'prompt' }],
};

describe('diffDocuments', () => {
  it('finds nothing between equal documents', () => {
    expect(isEmptyDiff(diffDocuments(base, structuredClone(base)))).toBe(true);
  });

  it('finds added, removed, changed and moved nodes and edges', () => {
    const next: WorkflowDocument = {
      ...base,
      nodes: [
        { id: 'a', type: 'io.input', position: { x: 5, y: 0 }, params: { name: 'q' } },
        { id: 'b', type: 'model.chat', position: { x: 1, y: 0 }, params: { model: 'x' } },
        { id: 'c', type: 'io.output', position: { x: 2, y: 0 }, params: {} },
      ],
      edges: [{ id: 'f', source: 'b', sourceHandle: 'text', target: 'c', targetHandle: 'value' }],
    };
    const diff = diffDocuments(base, next);
    expect(diff.nodes.added.map((node) => node.id)).toEqual(['c']);
    expect(diff.nodes.changed.map((node) => node.id)).toEqual(['b']);
    expect(diff.nodes.moved.map((node) => node.id)).toEqual(['a']);
    expect(diff.edges.added.map((edge) => edge.id)).toEqual(['f']);
    expect(diff.edges.removed.map((edge) => edge.id)).toEqual(['e']);
  });
});
