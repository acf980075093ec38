import { describe, expect, it } from 'vitest';

import type { WorkflowDocument } from '../api/types';
import { catalogue } from '../test/catalogue';
import { documentToFlow, flowToDocument, selectionToDocument } from './serialize';

/** A document as the server returns it (defaults filled, `label`/`settings` omitted when unset). */
const rich: WorkflowDocument = {
  format: 'nodeloom.workflow',
  version: 1,
  name: 'Support answers 🤖 — ünïcödé',
  description: 'RAG over the help centre\nsecond line',
  nodes: [
    { id: 'q', type: 'io.input', position: { x: 0, y: 0 }, params: { name: 'question' } },
    {
      id: 'llm',
      type: 'model.chat',
      position: { x: 400.5, y: -120.25 },
      label: 'Réponse 日本語',
      params: {
        provider: 'openai',
        model: 'gpt-4o-mini',
        temperature: 0.2,
        credential: { $credential: 'openai' },
        stop: ['\n\n', '###'],
        nested: { deep: [1, { two: null }] },
      },
      settings: { timeout_seconds: 30, max_attempts: 3 },
      ui: { collapsed: true, color: '#12b886' },
    },
    { id: 'ghost', type: 'vendor.future_node', position: { x: -5, y: 1e6 }, params: {} },
  ],
  edges: [
    { id: 'e1', source: 'q', sourceHandle: 'value', target: 'llm', targetHandle: 'prompt' },
    { id: 'e2', source: 'llm', sourceHandle: null, target: 'ghost', targetHandle: null },
  ],
  viewport: { x: -42.5, y: 17, zoom: 0.75 },
  credentials: [{ name: 'openai', provider: 'openai' }],
};

describe('serialize', () => {
  it('round-trips a document through the canvas unchanged', () => {
    expect(flowToDocument(documentToFlow(rich))).toStrictEqual(rich);
  });

  it('round-trips byte for byte as JSON (key order included)', () => {
    expect(JSON.stringify(flowToDocument(documentToFlow(rich)))).toBe(JSON.stringify(rich));
  });

  it('maps nodes and edges onto React Flow shapes', () => {
    const flow = documentToFlow(rich, catalogue);
    const llm = flow.nodes.find((node) => node.id === 'llm');
    expect(llm).toMatchObject({
      type: 'workflow',
      position: { x: 400.5, y: -120.25 },
      data: { kind: 'model.chat', label: 'Réponse 日本語' },
      ariaLabel: 'Réponse 日本語',
    });
    expect(flow.nodes[0]?.ariaLabel).toBe('Input');
    expect(flow.edges[0]).toEqual({
      id: 'e1',
      source: 'q',
      sourceHandle: 'value',
      target: 'llm',
      targetHandle: 'prompt',
    });
    expect(flow.viewport).toEqual({ x: -42.5, y: 17, zoom: 0.75 });
    expect(flow.meta).not.toHaveProperty('nodes');
  });

  it('fills defaults for a minimal document and omits unset optional fields', () => {
    const minimal = { name: 'Bare', nodes: [{ id: 'a', type: 'data.text', position: { x: 1, y: 2 } }] };
    const document = flowToDocument(documentToFlow(minimal as WorkflowDocument));
    expect(document).toStrictEqual({
      format: 'nodeloom.workflow',
      version: 1,
      name: 'Bare',
      description: '',
      nodes: [{ id: 'a', type: 'data.text', position: { x: 1, y: 2 }, params: {} }],
      edges: [],
      viewport: { x: 0, y: 0, zoom: 1 },
      credentials: [],
    });
  });

  it('writes what the canvas changed: positions, new edges, viewport', () => {
    const flow = documentToFlow(rich);
    const moved = {
      ...flow,
      nodes: flow.nodes.map((node) =>
        node.id === 'q'
          ? { ...node, position: { x: 10, y: 20 }, selected: true, measured: { width: 1, height: 2 } }
          : node,
      ),
      edges: [
        ...flow.edges,
        { id: 'e3', source: 'q', sourceHandle: 'value', target: 'ghost', targetHandle: 'in', selected: true },
      ],
      viewport: { x: 1, y: 2, zoom: 1.5 },
    };
    const document = flowToDocument(moved);
    expect(document.nodes?.[0]).toStrictEqual({
      id: 'q',
      type: 'io.input',
      position: { x: 10, y: 20 },
      params: { name: 'question' },
    });
    expect(document.edges?.[2]).toStrictEqual({
      id: 'e3',
      source: 'q',
      sourceHandle: 'value',
      target: 'ghost',
      targetHandle: 'in',
    });
    expect(document.viewport).toStrictEqual({ x: 1, y: 2, zoom: 1.5 });
  });

  it('carries collapse and colour between the canvas and the ui field', () => {
    const flow = documentToFlow(rich, catalogue);
    expect(flow.nodes.find((node) => node.id === 'llm')?.data).toMatchObject({
      collapsed: true,
      color: '#12b886',
    });
    const edited = {
      ...flow,
      nodes: flow.nodes.map((node) => {
        if (node.id === 'q') return { ...node, data: { ...node.data, color: '#fa5252' } };
        if (node.id === 'llm') return { ...node, data: { ...node.data, collapsed: undefined } };
        return node;
      }),
    };
    const nodes = flowToDocument(edited).nodes ?? [];
    expect(nodes.find((node) => node.id === 'q')?.ui).toStrictEqual({ color: '#fa5252' });
    expect(nodes.find((node) => node.id === 'llm')?.ui).toStrictEqual({ color: '#12b886' });
    expect(nodes.find((node) => node.id === 'ghost')).not.toHaveProperty('ui');
  });

  it('maps ui.note to a sticky note and back', () => {
    const note = { id: 'n', type: 'ui.note', position: { x: 0, y: 0 }, params: { text: '# Hi' } };
    const flow = documentToFlow({ name: 'N', nodes: [note] } as WorkflowDocument);
    expect(flow.nodes[0]?.type).toBe('note');
    expect(flowToDocument(flow).nodes).toEqual([note]);
  });

  it('writes a selection as a document with only its internal edges', () => {
    const flow = documentToFlow(rich);
    const fragment = selectionToDocument(flow.nodes.slice(0, 2), flow.edges);
    expect(fragment.format).toBe('nodeloom.workflow');
    expect(fragment.nodes?.map((node) => node.id)).toEqual(['q', 'llm']);
    expect(fragment.edges?.map((edge) => edge.id)).toEqual(['e1']);
  });
});
