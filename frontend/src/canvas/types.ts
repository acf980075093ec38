/** React Flow shapes used on the Nodeloom canvas. */
import type { Edge, Node } from '@xyflow/react';

export interface NodeSettings {
  timeout_seconds?: number;
  max_attempts?: number;
}

/** What a node carries on the canvas besides id and position. */
export type WorkflowNodeData = {
  /** The document's node type id, e.g. `model.chat`. */
  kind: string;
  label?: string;
  params: Record<string, unknown>;
  settings?: NodeSettings;
  /** Presentation, saved as the document node's `ui` field: shown collapsed; a colour as #rrggbb. */
  collapsed?: boolean;
  color?: string;
  /** Problems the backend reported for this node (severity error|warning). */
  problems?: readonly NodeProblem[];
};

export interface NodeProblem {
  code: string;
  severity: string;
  message: string;
}

export type WorkflowFlowNode = Node<WorkflowNodeData, 'workflow'>;
/** A sticky note: document type `ui.note`, params `{text, color}`; never run. */
export type NoteFlowNode = Node<WorkflowNodeData, 'note'>;

/**
 * A group: document type `ui.group`, params `{title, color?, width, height}`; never run. On the
 * canvas its size is the node's `width`/`height` (serialize.ts moves it to and from params).
 */
export type GroupFlowNode = Node<WorkflowNodeData, 'nodeGroup'>;

export type AppNode = WorkflowFlowNode | NoteFlowNode | GroupFlowNode;

export type AppEdge = Edge<{ problems?: readonly NodeProblem[] }>;

export const NOTE_TYPE = 'ui.note';
export const GROUP_TYPE = 'ui.group';

/** Whether a document node type is canvas-only (notes, groups: `ui.*`), which never runs. */
export const isAnnotation = (type: string): boolean => type.startsWith('ui.');
