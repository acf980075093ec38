/** The workflow's inputs, read from its io.input nodes (what a run must or may supply). */
import type { AppNode } from '../canvas/types';

export interface WorkflowInput {
  nodeId: string;
  name: string;
  description: string;
  /** Used when the run leaves the input out; null when the input is required. */
  defaultValue: string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function workflowInputs(nodes: readonly AppNode[]): WorkflowInput[] {
  return nodes.flatMap((node) => {
    if (node.type === 'note' || node.data.kind !== 'io.input') return [];
    const name = text(node.data.params.name)?.trim();
    if (!name) return [];
    return [
      {
        nodeId: node.id,
        name,
        description: text(node.data.params.description) ?? '',
        defaultValue: text(node.data.params.default),
      },
    ];
  });
}
