/** React Flow shapes used on the Nodeloom canvas. */
import type { Edge, Node } from '@xyflow/react';

export interface NodeSettings {
  timeout_seconds?: number;
  max_attempts?: number;
}

/** What a workflow node carries on the canvas besides id and position. */
export type WorkflowNodeData = {
  /** The document's node type id, e.g. `model.chat`. */
  kind: string;
  label?: string;
  params: Record<string, unknown>;
  settings?: NodeSettings;
};

export type WorkflowFlowNode = Node<WorkflowNodeData, 'workflow'>;

/** Every node type the canvas renders (one generic component for now). */
export type AppNode = WorkflowFlowNode;

export type AppEdge = Edge;
