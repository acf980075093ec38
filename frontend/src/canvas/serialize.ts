/**
 * The one module that knows both the workflow document (export format v1) and React
 * Flow's shapes. Everything else on the canvas speaks React Flow; everything that
 * talks to the API speaks documents.
 */
import type { DocumentEdge, DocumentNode, Viewport, WorkflowDocument } from '../api/types';
import { nodeTitle, type Catalogue } from './catalogue';
import { GROUP_DEFAULT_SIZE, GROUP_Z_INDEX } from './groups';
import {
  GROUP_TYPE,
  NOTE_TYPE,
  type AppEdge,
  type AppNode,
  type NodeSettings,
  type WorkflowNodeData,
} from './types';

/** The document minus what the canvas edits: carried through the editor untouched. */
export type DocumentMeta = Omit<WorkflowDocument, 'nodes' | 'edges' | 'viewport'>;

export interface FlowState {
  meta: DocumentMeta;
  nodes: AppNode[];
  edges: AppEdge[];
  viewport: Viewport;
}

export const DEFAULT_VIEWPORT: Viewport = { x: 0, y: 0, zoom: 1 };

export function documentToFlow(document: WorkflowDocument, catalogue?: Catalogue): FlowState {
  const { nodes = [], edges = [], viewport, ...meta } = document;
  return {
    meta,
    nodes: nodes.map((node) => nodeToFlow(node, catalogue)),
    edges: edges.map(edgeToFlow),
    viewport: {
      x: viewport?.x ?? DEFAULT_VIEWPORT.x,
      y: viewport?.y ?? DEFAULT_VIEWPORT.y,
      zoom: viewport?.zoom ?? DEFAULT_VIEWPORT.zoom,
    },
  };
}

export function flowToDocument({ meta, nodes, edges, viewport }: FlowState): WorkflowDocument {
  return {
    format: meta.format ?? 'nodeloom.workflow',
    version: meta.version ?? 1,
    name: meta.name,
    description: meta.description ?? '',
    nodes: nodes.map(nodeToDocument),
    edges: edges.map(edgeToDocument),
    viewport: { x: viewport.x, y: viewport.y, zoom: viewport.zoom },
    credentials: meta.credentials ?? [],
  };
}

/** A selection as a document fragment (the clipboard format): the nodes and the edges between them. */
export function selectionToDocument(nodes: readonly AppNode[], edges: readonly AppEdge[]): WorkflowDocument {
  const ids = new Set(nodes.map((node) => node.id));
  return flowToDocument({
    meta: { name: 'Copied nodes' },
    nodes: [...nodes],
    edges: edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target)),
    viewport: DEFAULT_VIEWPORT,
  });
}

export function nodeToFlow(node: DocumentNode, catalogue?: Catalogue): AppNode {
  const data: WorkflowNodeData = { kind: node.type, params: node.params ?? {} };
  if (typeof node.label === 'string') data.label = node.label;
  if (node.settings) data.settings = compactSettings(node.settings);
  if (typeof node.ui?.collapsed === 'boolean') data.collapsed = node.ui.collapsed;
  if (typeof node.ui?.color === 'string') data.color = node.ui.color;
  const position = { x: node.position.x, y: node.position.y };
  if (node.type === GROUP_TYPE) {
    // The document keeps a group's size in its params; the canvas keeps it on the node.
    const { width, height, ...params } = data.params;
    const group = { ...data, params };
    return {
      id: node.id,
      type: 'nodeGroup',
      position,
      data: group,
      width: size(width, GROUP_DEFAULT_SIZE.width),
      height: size(height, GROUP_DEFAULT_SIZE.height),
      zIndex: GROUP_Z_INDEX,
      ariaLabel: nodeAriaLabel('nodeGroup', group, catalogue),
    };
  }
  const type = node.type === NOTE_TYPE ? 'note' : 'workflow';
  return { id: node.id, type, position, data, ariaLabel: nodeAriaLabel(type, data, catalogue) };
}

/** The name screen readers (and role-based locators) use for a node. */
export function nodeAriaLabel(type: AppNode['type'], data: WorkflowNodeData, catalogue?: Catalogue): string {
  if (type === 'note') return data.label || 'Note';
  if (type === 'nodeGroup') {
    const title = typeof data.params.title === 'string' ? data.params.title.trim() : '';
    return title ? `Group: ${title}` : 'Group';
  }
  return nodeTitle(catalogue, data.kind, data.label);
}

const size = (value: unknown, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;

function nodeToDocument(node: AppNode): DocumentNode {
  const { kind, label, settings, collapsed, color } = node.data;
  const result: DocumentNode = {
    id: node.id,
    type: kind,
    position: { x: node.position.x, y: node.position.y },
  };
  const title = label?.trim(); // a name is kept without edge spaces (graph_engine/names.py)
  if (title) result.label = title;
  result.params =
    node.type === 'nodeGroup'
      ? {
          ...node.data.params,
          width: Math.round(node.width ?? node.measured?.width ?? GROUP_DEFAULT_SIZE.width),
          height: Math.round(node.height ?? node.measured?.height ?? GROUP_DEFAULT_SIZE.height),
        }
      : node.data.params;
  if (settings !== undefined) result.settings = settings;
  const ui = appearanceToDocument(collapsed, color);
  if (ui) result.ui = ui;
  return result;
}

export function edgeToFlow(edge: DocumentEdge): AppEdge {
  return {
    id: edge.id,
    source: edge.source,
    sourceHandle: edge.sourceHandle ?? null,
    target: edge.target,
    targetHandle: edge.targetHandle ?? null,
  };
}

function edgeToDocument(edge: AppEdge): DocumentEdge {
  return {
    id: edge.id,
    source: edge.source,
    sourceHandle: edge.sourceHandle ?? null,
    target: edge.target,
    targetHandle: edge.targetHandle ?? null,
  };
}

/** The node's `ui` field: only what the person set (no empty object). */
function appearanceToDocument(collapsed?: boolean, color?: string): DocumentNode['ui'] {
  const ui: NonNullable<DocumentNode['ui']> = {};
  if (collapsed !== undefined) ui.collapsed = collapsed;
  if (color !== undefined) ui.color = color;
  return Object.keys(ui).length > 0 ? ui : undefined;
}

function compactSettings(settings: NonNullable<DocumentNode['settings']>): NodeSettings {
  const result: NodeSettings = {};
  if (typeof settings.timeout_seconds === 'number') result.timeout_seconds = settings.timeout_seconds;
  if (typeof settings.max_attempts === 'number') result.max_attempts = settings.max_attempts;
  return result;
}
