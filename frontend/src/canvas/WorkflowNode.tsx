/** The one generic canvas node: title, type id, category colour and typed handles. */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';

import { kindIcon } from './appearance';
import classes from './canvas.module.css';
import { findNodeKind, nodeTitle, type Port } from './nodeKinds';
import type { WorkflowFlowNode } from './types';

function PortRow({ port, side }: { port: Port; side: 'input' | 'output' }) {
  const isInput = side === 'input';
  return (
    <div className={classes.port} data-side={side}>
      <Handle
        type={isInput ? 'target' : 'source'}
        position={isInput ? Position.Left : Position.Right}
        id={port.name}
        className={classes.handle}
        data-port-type={port.type}
        aria-label={`${port.name} ${side}`}
      />
      <span className={classes.portName}>
        {port.name}
        {port.optional ? <span className={classes.portOptional}>optional</span> : null}
      </span>
      <span className={classes.portType}>{port.type}</span>
    </div>
  );
}

function WorkflowNodeView({ data, selected }: NodeProps<WorkflowFlowNode>) {
  const kind = findNodeKind(data.kind);
  const Icon = kindIcon(data.kind, kind?.category);
  const title = nodeTitle(data.kind, data.label);
  return (
    <div
      className={classes.node}
      data-category={kind?.category ?? 'unknown'}
      data-selected={selected || undefined}
    >
      <div className={classes.nodeHeader}>
        <span className={classes.nodeIcon} aria-hidden>
          <Icon size={14} strokeWidth={2.2} />
        </span>
        <div className={classes.nodeHeading}>
          <div className={classes.nodeTitle}>{title}</div>
          <div className={classes.nodeType}>{data.kind}</div>
        </div>
      </div>
      {kind ? (
        (kind.inputs.length > 0 || kind.outputs.length > 0) && (
          <div className={classes.ports}>
            {kind.inputs.map((port) => (
              <PortRow key={`in-${port.name}`} port={port} side="input" />
            ))}
            {kind.outputs.map((port) => (
              <PortRow key={`out-${port.name}`} port={port} side="output" />
            ))}
          </div>
        )
      ) : (
        <div className={classes.unknownKind}>Unknown node type</div>
      )}
    </div>
  );
}

export const WorkflowNode = memo(WorkflowNodeView);

/** Stable map for React Flow's `nodeTypes` prop (defined once, outside render). */
export const nodeTypes = { workflow: WorkflowNode };
