/**
 * A node's part in the run on show, drawn over and under the node: a coloured ring, a
 * status badge with its duration, and below the ports the streamed tokens, the output
 * preview or the error. Reads only this node's slice of the run store.
 */
import { Loader } from '@mantine/core';
import { Ban, Check, CircleDashed, CircleSlash, Database, OctagonX, X } from 'lucide-react';
import { memo, type ReactNode } from 'react';

import type { WorkflowNodeData } from '../canvas/types';
import { useOptionalRunStore } from './context';
import type { NodeRun, NodeStatus } from './picture';
import classes from './run.module.css';
import { formatDuration, NODE_STATUS, previewText } from './status';
import { selectNodeRun, type RunState } from './store';

const ICONS: Record<NodeStatus, ReactNode> = {
  queued: <CircleDashed size={12} strokeWidth={2.4} />,
  running: <Loader size={10} color="currentColor" type="oval" />,
  succeeded: <Check size={12} strokeWidth={3} />,
  failed: <X size={12} strokeWidth={3} />,
  skipped: <CircleSlash size={12} strokeWidth={2.4} />,
  cached: <Database size={12} strokeWidth={2.4} />,
  interrupted: <Ban size={12} strokeWidth={2.4} />,
};

interface Props {
  id: string;
  data: WorkflowNodeData;
}

/** The io.output node's value: the run's output under the node's name. */
const selectOutput = (name: unknown) => (state: RunState) =>
  typeof name === 'string' ? state.picture?.outputs?.[name] : undefined;

function NodeRunStatusView({ id, data }: Props) {
  const node = useOptionalRunStore(selectNodeRun(id));
  const output = useOptionalRunStore(selectOutput(data.kind === 'io.output' ? data.params?.name : undefined));
  if (!node) return null;
  const look = NODE_STATUS[node.status];
  const done = node.durationMs !== undefined && node.status !== 'running';
  return (
    <>
      <div className={classes.ring} data-run={node.status} aria-hidden />
      <div
        className={classes.badge}
        data-run={node.status}
        role="status"
        aria-label={`Run status: ${look.label}`}
      >
        {ICONS[node.status]}
        <span>{look.label}</span>
        {done && <span className={classes.badgeTime}>{formatDuration(node.durationMs)}</span>}
      </div>
      <NodeRunDetail node={node} output={output} />
    </>
  );
}

function NodeRunDetail({ node, output }: { node: NodeRun; output: unknown }) {
  if (node.status === 'failed' && node.error) {
    return (
      <div className={classes.detail} data-kind="error" role="alert">
        <OctagonX size={13} className={classes.detailIcon} aria-hidden />
        <div>
          <div className={classes.errorType}>{node.error.type}</div>
          <div className={classes.detailText}>{node.error.message}</div>
        </div>
      </div>
    );
  }
  if (node.status === 'skipped' && node.reason) {
    return <div className={`${classes.detail} ${classes.muted}`}>{node.reason}</div>;
  }
  const streamed = node.tokens;
  const preview = output !== undefined ? previewText(output) : firstOutput(node);
  const text = node.status === 'running' ? streamed : preview || streamed;
  if (!text) return null;
  return (
    <div
      className={classes.detail}
      data-kind={node.status === 'running' ? 'stream' : 'output'}
      aria-label={node.status === 'running' ? 'Streaming output' : 'Output preview'}
    >
      <div className={classes.detailText}>
        <span>
          {text}
          {node.status === 'running' && <span className={classes.caret} aria-hidden />}
        </span>
      </div>
    </div>
  );
}

function firstOutput(node: NodeRun): string {
  const values = Object.values(node.outputs ?? {});
  return values.length > 0 ? previewText(values[0]) : '';
}

export const NodeRunStatus = memo(NodeRunStatusView);
