/**
 * The one module that knows both the workflow document (export format v1) and React
 * Flow's shapes. Everything else on the canvas speaks React Flow; everything that
 * talks to the API speaks documents.
 */
import type { DocumentEdge, DocumentNode, Viewport, WorkflowDocument } from '../api/types';
import { nodeTitle } from './nodeKinds';
import type { AppEdge, AppNode, NodeSettings, WorkflowNodeData } from './types';

/** The document minus what the canvas edits: carried through the editor untouched. */
export type DocumentMeta = Omit<WorkflowDocument, 'nodes' | 'edges' | 'viewport'>;

export interface FlowState {
  meta: DocumentMeta;
  nodes: AppNode[];
  edges: AppEdge[];
  viewport: Viewport;
}

export const DEFAULT_VIEWPORT: Viewport = { x: 0, y: 0, zoom: 1 };

export function documentToFlow(document: WorkflowDocument): FlowState {
  const { nodes = [], edges = [], viewport, ...meta } = document;
  return {
    meta,
    nodes: nodes.map(nodeToFlow),
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

function nodeToFlow(node: DocumentNode): AppNode {
  const data: WorkflowNodeData = { kind: node.type, params: node.params ?? {} };
  if (typeof node.label === 'string') data.label = node.label;
  if (node.settings) data.settings = compactSettings(node.settings);
  return {
    id: node.id,
    type: 'workflow',
    position: { x: node.position.x, y: node.position.y },
    data,
    ariaLabel: nodeTitle(node.type, data.label),
  };
}

function nodeToDocument(node: AppNode): DocumentNode {
  const { kind, label, params, settings } = node.data;
  const result: DocumentNode = {
    id: node.id,
    type: kind,
    position: { x: node.position.x, y: node.position.y },
  };
  if (label !== undefined) result.label = label;
  result.params = params;
  if (settings !== undefined) result.settings = settings;
  return result;
}

function edgeToFlow(edge: DocumentEdge): AppEdge {
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

function compactSettings(settings: NonNullable<DocumentNode['settings']>): NodeSettings {
  const result: NodeSettings = {};
  if (typeof settings.timeout_seconds === 'number') result.timeout_seconds = settings.timeout_seconds;
  if (typeof settings.max_attempts === 'number') result.max_attempts = settings.max_attempts;
  return result;
}
