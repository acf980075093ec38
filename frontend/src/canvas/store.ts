/**
 * The editor's canvas state: one store per open workflow, made by `createEditorStore`
 * and handed down through `EditorStoreProvider` (see context.tsx). Server state lives
 * in the query cache; run status will live in its own store.
 */
import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react';
import { createStore } from 'zustand/vanilla';

import type { Viewport, WorkflowDocument } from '../api/types';
import { canConnect } from './connections';
import { typeSlug, uniqueId } from './ids';
import { nodeTitle } from './nodeKinds';
import { documentToFlow, flowToDocument, type DocumentMeta } from './serialize';
import type { AppEdge, AppNode } from './types';

export interface LoadedWorkflow {
  version: number;
  document: WorkflowDocument;
}

export interface EditorState {
  meta: DocumentMeta;
  nodes: AppNode[];
  edges: AppEdge[];
  viewport: Viewport;
  /** The server version this canvas is based on (sent as If-Match). */
  version: number;
  /** Bumped on every edit; equal to `savedRevision` when nothing is unsaved. */
  revision: number;
  savedRevision: number;

  onNodesChange: (changes: NodeChange<AppNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<AppEdge>[]) => void;
  onConnect: (connection: Connection) => void;
  addNode: (kind: string, position: XYPosition) => string;
  deleteSelection: () => void;
  setViewport: (viewport: Viewport) => void;
  /** Replace everything with a workflow from the server (discards unsaved edits). */
  load: (workflow: LoadedWorkflow) => void;
  /** Record a successful save of the state as it was at `revision`. */
  markSaved: (version: number, revision: number) => void;
  toDocument: () => WorkflowDocument;
}

export type EditorStore = ReturnType<typeof createEditorStore>;

const EDITING_NODE_CHANGES = new Set<NodeChange['type']>(['position', 'remove', 'add', 'replace']);
const EDITING_EDGE_CHANGES = new Set<EdgeChange['type']>(['remove', 'add', 'replace']);

function fromWorkflow({ version, document }: LoadedWorkflow) {
  const { meta, nodes, edges, viewport } = documentToFlow(document);
  return { meta, nodes, edges, viewport, version, revision: 0, savedRevision: 0 };
}

export const selectIsDirty = (state: EditorState): boolean => state.revision !== state.savedRevision;

export function createEditorStore(initial: LoadedWorkflow) {
  return createStore<EditorState>()((set, get) => {
    const edited = () => ({ revision: get().revision + 1 });

    return {
      ...fromWorkflow(initial),

      onNodesChange: (changes) => {
        const edits = changes.some(
          (change) =>
            EDITING_NODE_CHANGES.has(change.type) &&
            (change.type !== 'position' || change.position !== undefined),
        );
        set({ nodes: applyNodeChanges(changes, get().nodes), ...(edits ? edited() : {}) });
      },

      onEdgesChange: (changes) => {
        const edits = changes.some((change) => EDITING_EDGE_CHANGES.has(change.type));
        set({ edges: applyEdgeChanges(changes, get().edges), ...(edits ? edited() : {}) });
      },

      onConnect: (connection) => {
        const { nodes, edges } = get();
        if (!canConnect(connection, nodes, edges)) return;
        const id = uniqueId('edge', new Set(edges.map((edge) => edge.id)));
        const edge: AppEdge = {
          id,
          source: connection.source,
          sourceHandle: connection.sourceHandle ?? null,
          target: connection.target,
          targetHandle: connection.targetHandle ?? null,
        };
        set({ edges: [...edges, edge], ...edited() });
      },

      addNode: (kind, position) => {
        const { nodes } = get();
        const id = uniqueId(typeSlug(kind), new Set(nodes.map((node) => node.id)));
        const node: AppNode = {
          id,
          type: 'workflow',
          position,
          data: { kind, params: {} },
          ariaLabel: nodeTitle(kind),
          selected: true,
        };
        const others = nodes.map((other) => (other.selected ? { ...other, selected: false } : other));
        set({ nodes: [...others, node], ...edited() });
        return id;
      },

      deleteSelection: () => {
        const { nodes, edges } = get();
        const removed = new Set(nodes.filter((node) => node.selected).map((node) => node.id));
        const keptEdges = edges.filter(
          (edge) => !edge.selected && !removed.has(edge.source) && !removed.has(edge.target),
        );
        if (removed.size === 0 && keptEdges.length === edges.length) return;
        set({ nodes: nodes.filter((node) => !removed.has(node.id)), edges: keptEdges, ...edited() });
      },

      // Panning and zooming is remembered (and saved with the next save) but is not an edit.
      setViewport: (viewport) => set({ viewport }),

      load: (workflow) => set(fromWorkflow(workflow)),

      markSaved: (version, revision) => set({ version, savedRevision: revision }),

      toDocument: () => flowToDocument(get()),
    };
  });
}
