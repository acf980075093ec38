import { describe, expect, it } from 'vitest';

import type { WorkflowDocument } from '../api/types';
import { catalogue } from '../test/catalogue';
import { createEditorStore, selectCanRedo, selectCanUndo, selectIsDirty } from './store';

const document: WorkflowDocument = {
  name: 'Test',
  nodes: [
    { id: 'in', type: 'io.input', position: { x: 0, y: 0 }, params: { name: 'q' } },
    { id: 'chat', type: 'model.chat', position: { x: 300, y: 0 }, params: {} },
    { id: 'split', type: 'data.splitter', position: { x: 600, y: 0 }, params: {} },
  ],
  edges: [],
};

const make = () => createEditorStore({ version: 4, document }, catalogue);
const link = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({
  source,
  sourceHandle,
  target,
  targetHandle,
});

describe('editor store', () => {
  it('starts clean from the loaded workflow', () => {
    const state = make().getState();
    expect(state.version).toBe(4);
    expect(state.nodes.map((node) => node.id)).toEqual(['in', 'chat', 'split']);
    expect(state.nodes[0]?.ariaLabel).toBe('Input');
    expect(selectIsDirty(state)).toBe(false);
    expect(selectCanUndo(state)).toBe(false);
  });

  it('starts dirty from a restored draft', () => {
    const store = createEditorStore({ version: 4, document, dirty: true }, catalogue);
    expect(selectIsDirty(store.getState())).toBe(true);
  });

  it('adds a node with a unique id derived from its type, selected and dirty', () => {
    const store = make();
    const first = store.getState().addNode('model.chat', { x: 10, y: 20 });
    const second = store.getState().addNode('model.chat', { x: 10, y: 20 });
    expect(first).toMatch(/^model_chat_[a-z0-9]{6}$/);
    expect(second).not.toBe(first);
    expect(store.getState().nodes.find((node) => node.id === first)).toMatchObject({
      type: 'workflow',
      position: { x: 10, y: 20 },
      data: { kind: 'model.chat', params: {} },
      ariaLabel: 'Chat model',
    });
    expect(
      store
        .getState()
        .nodes.filter((node) => node.selected)
        .map((node) => node.id),
    ).toEqual([second]);
    expect(selectIsDirty(store.getState())).toBe(true);
  });

  it('connects compatible ports and says why it refuses the rest', () => {
    const store = make();
    const { connect } = store.getState();
    expect(connect(link('in', 'value', 'chat', 'prompt'))).toEqual({ ok: true });
    expect(connect(link('in', 'value', 'chat', 'prompt'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/already connected/),
    });
    expect(connect(link('chat', 'text', 'chat', 'prompt'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/itself/),
    });
    expect(connect(link('chat', 'text', 'split', 'documents'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/text cannot feed documents/),
    });
    expect(store.getState().edges).toHaveLength(1);
    expect(store.getState().edges[0]?.id).toMatch(/^edge_[a-z0-9]{6}$/);
  });

  it('refuses a connection that closes a cycle', () => {
    const store = make();
    const a = store.getState().addNode('prompt.template', { x: 0, y: 0 });
    store.getState().updateNodeData(a, { params: { template: '{x}' } });
    const b = store.getState().addNode('prompt.template', { x: 0, y: 0 });
    store.getState().updateNodeData(b, { params: { template: '{y}' } });
    expect(store.getState().connect(link(a, 'prompt', b, 'y')).ok).toBe(true);
    expect(store.getState().connect(link(b, 'prompt', a, 'x'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/cycle/),
    });
  });

  it('undoes and redoes add, connect, param edit, move and delete', () => {
    const store = make();
    const s = () => store.getState();
    s().addNode('data.text', { x: 0, y: 200 });
    s().connect(link('in', 'value', 'chat', 'prompt'));
    s().updateNodeData('chat', { params: { model: 'g' } }, 'params');
    s().updateNodeData('chat', { params: { model: 'gp' } }, 'params'); // coalesced with the previous keystroke
    s().onNodesChange([{ type: 'position', id: 'in', position: { x: 50, y: 60 }, dragging: true }]);
    s().onNodesChange([{ type: 'position', id: 'in', position: { x: 70, y: 80 }, dragging: true }]);
    s().onNodesChange([{ type: 'position', id: 'in', position: { x: 70, y: 80 }, dragging: false }]);
    s().onNodesChange([{ type: 'select', id: 'in', selected: true }]);
    s().deleteSelection();
    const final = s().toDocument();
    expect(final.nodes?.map((node) => node.id)).not.toContain('in');

    s().undo(); // delete
    expect(s().nodes.find((node) => node.id === 'in')?.position).toEqual({ x: 70, y: 80 });
    s().undo(); // move (one step for the whole drag)
    expect(s().nodes.find((node) => node.id === 'in')?.position).toEqual({ x: 0, y: 0 });
    s().undo(); // param edit (one step for the typing)
    expect(s().nodes.find((node) => node.id === 'chat')?.data.params).toEqual({});
    s().undo(); // connect
    expect(s().edges).toHaveLength(0);
    s().undo(); // add
    expect(s().nodes).toHaveLength(3);
    expect(selectCanUndo(s())).toBe(false);

    for (let i = 0; i < 5; i++) s().redo();
    expect(selectCanRedo(s())).toBe(false);
    expect(s().toDocument()).toEqual(final);
  });

  it('copies a selection with its internal edges and pastes it with fresh ids', () => {
    const store = make();
    const s = () => store.getState();
    s().connect(link('in', 'value', 'chat', 'prompt'));
    s().onNodesChange([
      { type: 'select', id: 'in', selected: true },
      { type: 'select', id: 'chat', selected: true },
    ]);
    const fragment = s().copySelection()!;
    expect(fragment.nodes?.map((node) => node.id)).toEqual(['in', 'chat']);
    expect(fragment.edges).toHaveLength(1);

    const other = createEditorStore(
      { version: 1, document: { name: 'Other', nodes: [], edges: [] } },
      catalogue,
    );
    expect(other.getState().paste(fragment)).toBe(2);
    const pasted = other.getState().toDocument();
    expect(pasted.nodes?.map((node) => node.type)).toEqual(['io.input', 'model.chat']);
    expect(pasted.nodes?.map((node) => node.id)).not.toContain('in');
    const [edge] = pasted.edges ?? [];
    expect(edge?.source).toBe(pasted.nodes?.[0]?.id);
    expect(edge?.target).toBe(pasted.nodes?.[1]?.id);
    expect(pasted.nodes?.[0]?.params).toEqual({ name: 'q' });
  });

  it('duplicates beside the original', () => {
    const store = make();
    store.getState().onNodesChange([{ type: 'select', id: 'in', selected: true }]);
    store.getState().duplicateSelection();
    const copies = store.getState().nodes.filter((node) => node.data.kind === 'io.input');
    expect(copies).toHaveLength(2);
    expect(copies[1]?.position).toEqual({ x: 40, y: 40 });
  });

  it('does not count selection or dimension changes as edits', () => {
    const store = make();
    store.getState().onNodesChange([{ type: 'select', id: 'in', selected: true }]);
    store
      .getState()
      .onNodesChange([{ type: 'dimensions', id: 'in', dimensions: { width: 200, height: 80 } }]);
    expect(selectIsDirty(store.getState())).toBe(false);
  });

  it('marks saved at a revision and stays dirty for later edits', () => {
    const store = make();
    store.getState().addNode('data.text', { x: 0, y: 0 });
    const { revision } = store.getState();
    store.getState().addNode('data.text', { x: 0, y: 0 });
    store.getState().markSaved(5, revision);
    expect(store.getState().version).toBe(5);
    expect(selectIsDirty(store.getState())).toBe(true);
  });

  it('puts problems on the nodes and edges they name', () => {
    const store = make();
    store.getState().setProblems([
      {
        code: 'missing_input',
        severity: 'error',
        pointer: '/nodes/1',
        node_id: 'chat',
        message: 'Prompt is not connected.',
      },
    ]);
    expect(store.getState().nodes.find((node) => node.id === 'chat')?.data.problems).toEqual([
      { code: 'missing_input', severity: 'error', message: 'Prompt is not connected.' },
    ]);
    const untouched = store.getState().nodes.find((node) => node.id === 'in');
    store.getState().setProblems([
      {
        code: 'missing_input',
        severity: 'error',
        pointer: '/nodes/1',
        node_id: 'chat',
        message: 'Prompt is not connected.',
      },
    ]);
    expect(store.getState().nodes.find((node) => node.id === 'in')).toBe(untouched);
  });

  it('lays out left to right along the edges', () => {
    const store = make();
    store.getState().connect(link('in', 'value', 'chat', 'prompt'));
    store.getState().autoLayout();
    const [input, chat] = ['in', 'chat'].map(
      (id) => store.getState().nodes.find((node) => node.id === id)!.position,
    );
    expect(chat!.x).toBeGreaterThan(input!.x);
  });
});
