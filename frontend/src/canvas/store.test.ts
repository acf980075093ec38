import { describe, expect, it } from 'vitest';

import type { WorkflowDocument } from '../api/types';
import { createEditorStore, selectIsDirty } from './store';

const document: WorkflowDocument = {
  name: 'Test',
  nodes: [
    { id: 'in', type: 'io.input', position: { x: 0, y: 0 }, params: {} },
    { id: 'chat', type: 'model.chat', position: { x: 300, y: 0 }, params: {} },
  ],
  edges: [],
};

const make = () => createEditorStore({ version: 4, document });

describe('editor store', () => {
  it('starts clean from the loaded workflow', () => {
    const store = make();
    const state = store.getState();
    expect(state.version).toBe(4);
    expect(state.nodes.map((node) => node.id)).toEqual(['in', 'chat']);
    expect(selectIsDirty(state)).toBe(false);
  });

  it('adds a node with a unique id derived from its type, selected and dirty', () => {
    const store = make();
    const first = store.getState().addNode('model.chat', { x: 10, y: 20 });
    const second = store.getState().addNode('model.chat', { x: 10, y: 20 });
    expect(first).toMatch(/^model_chat_[a-z0-9]{6}$/);
    expect(second).not.toBe(first);
    const added = store.getState().nodes.find((node) => node.id === first);
    expect(added).toMatchObject({
      type: 'workflow',
      position: { x: 10, y: 20 },
      data: { kind: 'model.chat', params: {} },
    });
    expect(
      store
        .getState()
        .nodes.filter((node) => node.selected)
        .map((node) => node.id),
    ).toEqual([second]);
    expect(selectIsDirty(store.getState())).toBe(true);
  });

  it('connects typed ports with a unique edge id and refuses bad links', () => {
    const store = make();
    const connect = store.getState().onConnect;
    connect({ source: 'in', sourceHandle: 'value', target: 'chat', targetHandle: 'prompt' });
    connect({ source: 'in', sourceHandle: 'value', target: 'chat', targetHandle: 'prompt' }); // duplicate
    connect({ source: 'chat', sourceHandle: 'text', target: 'chat', targetHandle: 'prompt' }); // self-loop
    expect(store.getState().edges).toHaveLength(1);
    expect(store.getState().edges[0]).toMatchObject({
      source: 'in',
      sourceHandle: 'value',
      target: 'chat',
      targetHandle: 'prompt',
    });
    expect(store.getState().edges[0]?.id).toMatch(/^edge_[a-z0-9]{6}$/);
  });

  it('refuses a connection between incompatible port types', () => {
    const store = make();
    const loader = store.getState().addNode('data.loader', { x: 0, y: 200 });
    store
      .getState()
      .onConnect({ source: loader, sourceHandle: 'documents', target: 'chat', targetHandle: 'prompt' });
    expect(store.getState().edges).toHaveLength(0);
  });

  it('deletes the selection and the edges touching it', () => {
    const store = make();
    store
      .getState()
      .onConnect({ source: 'in', sourceHandle: 'value', target: 'chat', targetHandle: 'prompt' });
    store.getState().onNodesChange([{ id: 'in', type: 'select', selected: true }]);
    store.getState().deleteSelection();
    expect(store.getState().nodes.map((node) => node.id)).toEqual(['chat']);
    expect(store.getState().edges).toEqual([]);
  });

  it('marks moves and removals dirty, but not selection, measuring or panning', () => {
    const store = make();
    store.getState().onNodesChange([{ id: 'in', type: 'select', selected: true }]);
    store
      .getState()
      .onNodesChange([{ id: 'in', type: 'dimensions', dimensions: { width: 200, height: 80 } }]);
    store.getState().setViewport({ x: 5, y: 5, zoom: 2 });
    expect(selectIsDirty(store.getState())).toBe(false);

    store
      .getState()
      .onNodesChange([{ id: 'in', type: 'position', position: { x: 50, y: 60 }, dragging: true }]);
    expect(store.getState().nodes[0]?.position).toEqual({ x: 50, y: 60 });
    expect(selectIsDirty(store.getState())).toBe(true);
  });

  it('stays dirty after a save if edits happened while saving', () => {
    const store = make();
    store.getState().addNode('data.text', { x: 0, y: 0 });
    const savingRevision = store.getState().revision;
    store.getState().addNode('data.text', { x: 0, y: 0 }); // edit during the save
    store.getState().markSaved(5, savingRevision);
    expect(store.getState().version).toBe(5);
    expect(selectIsDirty(store.getState())).toBe(true);
    store.getState().markSaved(6, store.getState().revision);
    expect(selectIsDirty(store.getState())).toBe(false);
  });

  it('load() replaces the canvas with the server copy and clears dirty', () => {
    const store = make();
    store.getState().addNode('data.text', { x: 0, y: 0 });
    store.getState().load({ version: 9, document: { ...document, nodes: [] } });
    expect(store.getState().nodes).toEqual([]);
    expect(store.getState().version).toBe(9);
    expect(selectIsDirty(store.getState())).toBe(false);
  });

  it('serialises its state back into a document', () => {
    const store = make();
    store
      .getState()
      .onConnect({ source: 'in', sourceHandle: 'value', target: 'chat', targetHandle: 'prompt' });
    const out = store.getState().toDocument();
    expect(out.name).toBe('Test');
    expect(out.nodes).toHaveLength(2);
    expect(out.edges?.[0]).toMatchObject({
      source: 'in',
      target: 'chat',
      sourceHandle: 'value',
      targetHandle: 'prompt',
    });
  });
});
