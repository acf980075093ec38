/**
 * While a connection is dragged, mark every handle on the canvas compatible or not
 * (`data-compatible` on the handle element; CSS does the rest). One DOM pass per drag:
 * no node re-renders, so it stays cheap at 1,000 nodes.
 */
import { portsCompatible, type Catalogue } from './catalogue';
import { upstreamOf } from './connections';
import type { AppEdge } from './types';

export interface DragStart {
  nodeId: string;
  portType: string | undefined;
  /** The kind of handle the drag started from. */
  handleType: 'source' | 'target';
}

function downstreamOf(id: string, edges: readonly AppEdge[]): Set<string> {
  const reversed = edges.map((edge) => ({ ...edge, source: edge.target, target: edge.source }));
  return upstreamOf(id, reversed);
}

export function markHandles(
  root: HTMLElement,
  start: DragStart,
  edges: readonly AppEdge[],
  catalogue: Catalogue,
) {
  const fromOutput = start.handleType === 'source';
  // Nodes that would close a cycle: anything upstream of an output's node, downstream of an input's.
  const blocked = fromOutput ? upstreamOf(start.nodeId, edges) : downstreamOf(start.nodeId, edges);
  root.dataset.connecting = 'true';
  for (const handle of root.querySelectorAll<HTMLElement>('.react-flow__handle')) {
    const isTarget = handle.classList.contains('target');
    if (isTarget === !fromOutput) {
      const type = handle.dataset.portType;
      const typed =
        !type ||
        !start.portType ||
        (fromOutput
          ? portsCompatible(catalogue, start.portType, type)
          : portsCompatible(catalogue, type, start.portType));
      const ok = typed && !blocked.has(handle.dataset.nodeid ?? '');
      handle.dataset.compatible = ok ? 'yes' : 'no';
    } else {
      handle.dataset.compatible = 'no';
    }
  }
}

export function clearHandles(root: HTMLElement) {
  delete root.dataset.connecting;
  for (const handle of root.querySelectorAll<HTMLElement>('.react-flow__handle[data-compatible]')) {
    delete handle.dataset.compatible;
  }
}
