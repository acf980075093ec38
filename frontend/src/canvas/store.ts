/**
 * The editor's canvas state: one zustand store per open workflow, made by a factory and
 * provided through context (context.tsx). It holds the graph, its undo history and the
 * save bookkeeping (revision/savedRevision); run status and autosave timing live elsewhere.
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

import type { Viewport, WorkflowDocument, WorkflowProblem } from '../api/types';
import type { Catalogue } from './catalogue';
import { checkConnection, type ConnectionCheck } from './connections';
import { dropEstimates, estimateLayout } from './estimate';
import { boxAround, followGroups, isGroup, type GroupDrags } from './groups';
import { emptyHistory, record, redo, undo, type History, type Snapshot } from './history';
import { typeSlug, uniqueId } from './ids';
import { align, layoutLeftToRight, type Alignment } from './layout';
import { applyProblems } from './problems';
import {
  documentToFlow,
  edgeToFlow,
  flowToDocument,
  nodeAriaLabel,
  nodeToFlow,
  selectionToDocument,
  type DocumentMeta,
} from './serialize';
import { GROUP_TYPE, NOTE_TYPE, type AppEdge, type AppNode, type WorkflowNodeData } from './types';

export interface LoadedWorkflow {
  version: number;
  document: WorkflowDocument;
  problems?: readonly WorkflowProblem[];
  /** Local edits not on the server yet (a restored draft): start unsaved. */
  dirty?: boolean;
}

export interface EditorState {
  catalogue: Catalogue;
  meta: DocumentMeta;
  nodes: AppNode[];
  edges: AppEdge[];
  viewport: Viewport;
  /** The server version this canvas is based on (sent as If-Match). */
  version: number;
  /** Bumped on every edit; equal to `savedRevision` when nothing is unsaved. */
  revision: number;
  savedRevision: number;
  history: History;
  problems: readonly WorkflowProblem[];

  onNodesChange: (changes: NodeChange<AppNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<AppEdge>[]) => void;
  /** Add an edge if allowed; the check says why not otherwise. */
  connect: (connection: Connection) => ConnectionCheck;
  reconnect: (edge: AppEdge, connection: Connection) => ConnectionCheck;
  addNode: (kind: string, position: XYPosition) => string;
  updateNodeData: (id: string, patch: Partial<WorkflowNodeData>, coalesce?: string) => void;
  deleteSelection: () => void;
  duplicateSelection: () => void;
  /** Wrap the selected nodes in a new group (selected); its id, or null with nothing selected. */
  groupSelection: () => string | null;
  copySelection: () => WorkflowDocument | null;
  /** Paste a document fragment with fresh ids; `at` is where its top-left corner lands. */
  paste: (fragment: WorkflowDocument, at?: XYPosition) => number;
  alignSelection: (how: Alignment) => void;
  autoLayout: () => void;
  selectOnly: (id: string) => void;
  undo: () => void;
  redo: () => void;
  setViewport: (viewport: Viewport) => void;
  /** Replace everything with a workflow from the server (discards unsaved edits). */
  load: (workflow: LoadedWorkflow, options?: { dirty?: boolean }) => void;
  /** Record a successful save of the state as it was at `revision`. */
  markSaved: (version: number, revision: number, problems?: readonly WorkflowProblem[]) => void;
  setProblems: (problems: readonly WorkflowProblem[]) => void;
  toDocument: () => WorkflowDocument;
}

export type EditorStore = ReturnType<typeof createEditorStore>;

export const selectIsDirty = (state: EditorState): boolean => state.revision !== state.savedRevision;
export const selectCanUndo = (state: EditorState) => state.history.past.length > 0;
export const selectCanRedo = (state: EditorState) => state.history.future.length > 0;

const PASTE_OFFSET = 40;

function fromWorkflow({ version, document, problems = [], dirty }: LoadedWorkflow, catalogue: Catalogue) {
  const { meta, nodes, edges, viewport } = documentToFlow(document, catalogue);
  const marked = applyProblems(estimateLayout(nodes, catalogue), edges, problems);
  const revision = dirty ? 1 : 0;
  return {
    meta,
    ...marked,
    viewport,
    version,
    revision,
    savedRevision: 0,
    history: emptyHistory(),
    problems,
  };
}

const deselect = <T extends { selected?: boolean }>(items: T[]): T[] =>
  items.map((item) => (item.selected ? { ...item, selected: false } : item));

export function createEditorStore(initial: LoadedWorkflow, catalogue: Catalogue) {
  return createStore<EditorState>()((set, get) => {
    let dragging = false;
    let resizing = false;
    const groupDrags: GroupDrags = new Map();

    /** Apply an edit to the graph: one undo step (coalesced by `key`), one revision. */
    const edit = (next: Partial<Snapshot> & Partial<EditorState>, key: string | null = null) => {
      const { nodes, edges, history, revision } = get();
      set({ ...next, history: record(history, { nodes, edges }, key, Date.now()), revision: revision + 1 });
    };

    const moveNodes = (positions: Map<string, XYPosition>) => {
      if (positions.size === 0) return;
      edit({
        nodes: get().nodes.map((node) => {
          const position = positions.get(node.id);
          return position ? { ...node, position } : node;
        }),
      });
    };

    const restore = (step: [History, Snapshot] | null) => {
      if (!step) return;
      const [history, snapshot] = step;
      set({ ...snapshot, history, revision: get().revision + 1 });
    };

    return {
      catalogue,
      ...fromWorkflow(initial, catalogue),

      onNodesChange: (incoming) => {
        const { nodes } = get();
        // A group carries the nodes inside it along.
        const changes = followGroups(incoming, nodes, groupDrags);
        let next = applyNodeChanges(changes, nodes);
        const measured = new Set(
          changes.flatMap((change) => (change.type === 'dimensions' && change.dimensions ? [change.id] : [])),
        );
        if (measured.size > 0) next = dropEstimates(next, measured);
        const moves = changes.filter((change) => change.type === 'position' && change.position);
        const structural = changes.some(
          (change) => change.type === 'remove' || change.type === 'add' || change.type === 'replace',
        );
        const resize = changes.filter(
          (change) => change.type === 'dimensions' && change.resizing !== undefined,
        );
        if (structural) {
          edit({ nodes: next });
        } else if (resize.length > 0) {
          // A resize (NodeResizer) is one undo step from its first change to its last.
          const wasResizing = resizing;
          resizing = resize.some((change) => change.type === 'dimensions' && change.resizing);
          if (wasResizing) set({ nodes: next, revision: get().revision + 1 });
          else edit({ nodes: next });
        } else if (moves.length > 0) {
          const isDrag = moves.some((change) => change.type === 'position' && change.dragging);
          const wasDragging = dragging;
          dragging = isDrag;
          if (wasDragging) {
            // Mid-drag or its last step: part of the undo step recorded when the drag began.
            set({ nodes: next, revision: get().revision + 1 });
          } else {
            edit({ nodes: next }, isDrag ? null : 'nudge');
          }
        } else {
          set({ nodes: next });
        }
      },

      onEdgesChange: (changes) => {
        const next = applyEdgeChanges(changes, get().edges);
        if (
          changes.some(
            (change) => change.type === 'remove' || change.type === 'add' || change.type === 'replace',
          )
        ) {
          edit({ edges: next });
        } else {
          set({ edges: next });
        }
      },

      connect: (connection) => {
        const { nodes, edges } = get();
        const check = checkConnection(connection, nodes, edges, catalogue);
        if (!check.ok) return check;
        const id = uniqueId('edge', new Set(edges.map((edge) => edge.id)));
        edit({ edges: [...edges, edgeToFlow({ id, ...connection })] });
        return check;
      },

      reconnect: (old, connection) => {
        const { nodes, edges } = get();
        const check = checkConnection(connection, nodes, edges, catalogue, old.id);
        if (!check.ok) return check;
        const moved = edgeToFlow({ id: old.id, ...connection });
        edit({ edges: edges.map((edge) => (edge.id === old.id ? moved : edge)) });
        return check;
      },

      addNode: (kind, position) => {
        const { nodes } = get();
        const id = uniqueId(typeSlug(kind), new Set(nodes.map((node) => node.id)));
        const params: Record<string, unknown> =
          kind === NOTE_TYPE ? { text: '' } : kind === GROUP_TYPE ? { title: 'Group' } : {};
        const node = { ...nodeToFlow({ id, type: kind, position, params }, catalogue), selected: true };
        edit({ nodes: [...deselect(nodes), node], edges: deselect(get().edges) });
        return id;
      },

      updateNodeData: (id, patch, coalesce) => {
        edit(
          {
            nodes: get().nodes.map((node) => {
              if (node.id !== id) return node;
              const data = { ...node.data, ...patch };
              if (patch.label !== undefined && !patch.label.trim()) delete data.label;
              return { ...node, data, ariaLabel: nodeAriaLabel(node.type, data, catalogue) } as AppNode;
            }),
          },
          coalesce ? `${coalesce}:${id}` : null,
        );
      },

      deleteSelection: () => {
        const { nodes, edges } = get();
        const removed = new Set(nodes.filter((node) => node.selected).map((node) => node.id));
        const keptEdges = edges.filter(
          (edge) => !edge.selected && !removed.has(edge.source) && !removed.has(edge.target),
        );
        if (removed.size === 0 && keptEdges.length === edges.length) return;
        edit({ nodes: nodes.filter((node) => !removed.has(node.id)), edges: keptEdges });
      },

      copySelection: () => {
        const { nodes, edges } = get();
        const chosen = nodes.filter((node) => node.selected);
        return chosen.length ? selectionToDocument(chosen, edges) : null;
      },

      duplicateSelection: () => {
        const fragment = get().copySelection();
        if (!fragment) return;
        const first = fragment.nodes?.[0];
        const left = Math.min(...(fragment.nodes ?? []).map((node) => node.position.x));
        const top = Math.min(...(fragment.nodes ?? []).map((node) => node.position.y));
        if (first) get().paste(fragment, { x: left + PASTE_OFFSET, y: top + PASTE_OFFSET });
      },

      groupSelection: () => {
        const { nodes, edges } = get();
        const chosen = nodes.filter((node) => node.selected);
        if (chosen.length === 0) return null;
        const { x, y, width, height } = boxAround(chosen);
        const id = uniqueId(typeSlug(GROUP_TYPE), new Set(nodes.map((node) => node.id)));
        const group = nodeToFlow(
          { id, type: GROUP_TYPE, position: { x, y }, params: { title: 'Group', width, height } },
          catalogue,
        );
        // Groups go first: drawn behind, and found after the nodes they hold by anything scanning.
        edit({ nodes: [{ ...group, selected: true }, ...deselect(nodes)], edges: deselect(edges) });
        return id;
      },

      paste: (fragment, at) => {
        const { nodes, edges } = get();
        const incoming = documentToFlow(fragment, catalogue);
        if (incoming.nodes.length === 0) return 0;
        const takenNodes = new Set(nodes.map((node) => node.id));
        const takenEdges = new Set(edges.map((edge) => edge.id));
        const ids = new Map<string, string>();
        const left = Math.min(...incoming.nodes.map((node) => node.position.x));
        const top = Math.min(...incoming.nodes.map((node) => node.position.y));
        const origin = at ?? { x: left + PASTE_OFFSET, y: top + PASTE_OFFSET };
        const pasted = incoming.nodes.map((node) => {
          const id = uniqueId(typeSlug(node.data.kind), takenNodes);
          takenNodes.add(id);
          ids.set(node.id, id);
          const position = { x: node.position.x - left + origin.x, y: node.position.y - top + origin.y };
          return { ...node, id, position, selected: true };
        });
        const pastedEdges = incoming.edges
          .filter((edge) => ids.has(edge.source) && ids.has(edge.target))
          .map((edge) => {
            const id = uniqueId('edge', takenEdges);
            takenEdges.add(id);
            return { ...edge, id, source: ids.get(edge.source)!, target: ids.get(edge.target)! };
          });
        edit({ nodes: [...deselect(nodes), ...pasted], edges: [...deselect(edges), ...pastedEdges] });
        return pasted.length;
      },

      alignSelection: (how) =>
        moveNodes(
          align(
            get().nodes.filter((node) => node.selected),
            how,
          ),
        ),

      autoLayout: () => {
        const { nodes, edges } = get();
        const selected = nodes.filter((node) => node.selected);
        const scope =
          selected.length > 1
            ? selected.filter((node) => !isGroup(node))
            : nodes.filter((node) => node.type === 'workflow');
        if (scope.length > 0) moveNodes(layoutLeftToRight(scope, edges));
      },

      selectOnly: (id) =>
        set({
          nodes: get().nodes.map((node) =>
            node.id === id
              ? { ...node, selected: true }
              : node.selected
                ? { ...node, selected: false }
                : node,
          ),
          edges: deselect(get().edges),
        }),

      undo: () => {
        const { history, nodes, edges } = get();
        restore(undo(history, { nodes, edges }));
      },

      redo: () => {
        const { history, nodes, edges } = get();
        restore(redo(history, { nodes, edges }));
      },

      // Panning and zooming is remembered (and saved with the next save) but is not an edit.
      setViewport: (viewport) => set({ viewport }),

      load: (workflow, options) => {
        const loaded = fromWorkflow(workflow, catalogue);
        set(options?.dirty ? { ...loaded, revision: 1 } : loaded);
      },

      markSaved: (version, revision, problems) => {
        set({ version, savedRevision: revision });
        if (problems) get().setProblems(problems);
      },

      setProblems: (problems) => {
        const { nodes, edges } = get();
        set({ problems, ...applyProblems(nodes, edges, problems) });
      },

      toDocument: () => flowToDocument(get()),
    };
  });
}
