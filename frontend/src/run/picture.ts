/**
 * A run's picture: what the canvas shows of one run, built only from its events.
 * Node state is keyed by node id (the canvas ids, end to end) and never stored in node data.
 */
import type { ErrorInfo, RunStatus, TokenUsage } from './types';

/** A node's state in a run; `interrupted` is a node the run's end cut short. */
export type NodeStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cached' | 'interrupted';

export interface NodeRun {
  status: NodeStatus;
  startedAt?: string;
  durationMs?: number;
  attempt?: number;
  /** Streamed text so far (node.token), cut to the last TOKEN_TAIL characters. */
  tokens: string;
  /** A JSON preview of each output port (succeeded, cached). */
  outputs?: Record<string, unknown>;
  truncated?: boolean;
  usage?: TokenUsage | null;
  error?: ErrorInfo;
  /** Why it was skipped. */
  reason?: string;
}

export interface RunPicture {
  runId: string;
  status: RunStatus;
  /** The newest event applied; events at or below it are duplicates. */
  lastSeq: number;
  nodes: Readonly<Record<string, NodeRun>>;
  queuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Each io.output by name, when the run succeeded. */
  outputs?: Record<string, unknown>;
  error?: ErrorInfo;
  /** The node whose failure failed the run. */
  errorNodeId?: string | null;
}

/** Enough streamed text to fill a node's preview; older text is dropped. */
export const TOKEN_TAIL = 4000;

export const emptyPicture = (runId: string): RunPicture => ({
  runId,
  status: 'queued',
  lastSeq: -1,
  nodes: {},
});

export const emptyNode = (): NodeRun => ({ status: 'queued', tokens: '' });

/** `picture` with node `id` changed by `patch` (other nodes keep their identity). */
export function patchNode(picture: RunPicture, id: string, patch: Partial<NodeRun>): RunPicture {
  const current = picture.nodes[id] ?? emptyNode();
  return { ...picture, nodes: { ...picture.nodes, [id]: { ...current, ...patch } } };
}

/** Nodes the run's end cut short: running ones named in `interrupted` (or still running). */
export function interruptNodes(picture: RunPicture, interrupted: readonly string[] = []): RunPicture {
  const named = new Set(interrupted);
  let nodes = picture.nodes;
  for (const [id, node] of Object.entries(picture.nodes)) {
    if (named.has(id) || node.status === 'running') {
      nodes = { ...nodes, [id]: { ...node, status: 'interrupted' } };
    }
  }
  return nodes === picture.nodes ? picture : { ...picture, nodes };
}
