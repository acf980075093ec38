/** The one generic canvas node: title, category colour, typed handles, key params, problems. */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { AlertTriangle, ChevronDown, ChevronRight, CircleAlert } from 'lucide-react';
import { memo, useMemo, useState, type KeyboardEvent } from 'react';

import { kindIcon, nodeColorVars } from './appearance';
import classes from './canvas.module.css';
import type { PortSpec } from './catalogue';
import { useCatalogue, useEditorStoreApi } from './context';
import { GroupNode } from './GroupNode';
import { NoteNode } from './NoteNode';
import { NodeRunStatus } from '../run/NodeRunStatus';
import { portsFor } from './ports';
import { summarise } from './summary';
import type { NodeProblem, WorkflowFlowNode } from './types';

function PortRow({
  port,
  side,
  collapsed,
}: {
  port: PortSpec;
  side: 'input' | 'output';
  collapsed: boolean;
}) {
  const isInput = side === 'input';
  const hint = `${port.title} · ${port.type}${isInput && port.multiple ? ' · takes several' : ''}${port.description ? ` — ${port.description}` : ''}`;
  return (
    <div className={classes.port} data-side={side}>
      <Handle
        type={isInput ? 'target' : 'source'}
        position={isInput ? Position.Left : Position.Right}
        id={port.name}
        className={classes.handle}
        data-port-type={port.type}
        data-side={side}
        aria-label={`${port.name} ${side}`}
        title={hint}
      />
      {!collapsed && (
        <>
          <span className={classes.portName}>{port.title}</span>
          <span className={classes.portType}>{port.type}</span>
        </>
      )}
    </div>
  );
}

function ProblemBadge({ problems }: { problems: readonly NodeProblem[] }) {
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  const Icon = errors ? CircleAlert : AlertTriangle;
  return (
    <span
      className={classes.problemBadge}
      data-severity={errors ? 'error' : 'warning'}
      title={problems.map((problem) => problem.message).join('\n')}
      aria-label={`${problems.length} problem${problems.length === 1 ? '' : 's'}`}
      role="img"
    >
      <Icon size={12} strokeWidth={2.4} />
      {problems.length}
    </span>
  );
}

function Title({ id, title }: { id: string; title: string }) {
  const store = useEditorStoreApi();
  const [editing, setEditing] = useState(false);
  if (!editing) {
    return (
      <div
        className={classes.nodeTitle}
        onDoubleClick={() => setEditing(true)}
        title="Double-click to rename"
      >
        {title}
      </div>
    );
  }
  const finish = (value: string) => {
    setEditing(false);
    if (value.trim() !== title) store.getState().updateNodeData(id, { label: value.trim() });
  };
  return (
    <input
      className={`${classes.titleInput} nodrag`}
      defaultValue={title}
      aria-label="Node name"
      autoFocus
      onBlur={(event) => finish(event.currentTarget.value)}
      onKeyDown={(event: KeyboardEvent<HTMLInputElement>) => {
        event.stopPropagation();
        if (event.key === 'Enter') finish(event.currentTarget.value);
        if (event.key === 'Escape') setEditing(false);
      }}
    />
  );
}

function WorkflowNodeView({ id, data, selected }: NodeProps<WorkflowFlowNode>) {
  const catalogue = useCatalogue();
  const store = useEditorStoreApi();
  const spec = catalogue.byType.get(data.kind);
  const ports = useMemo(() => (spec ? portsFor(spec, data.params) : null), [spec, data.params]);
  const summary = useMemo(() => (spec ? summarise(spec, data.params) : []), [spec, data.params]);
  const Icon = kindIcon(data.kind, spec?.category);
  const title = data.label?.trim() || spec?.title || data.kind;
  const collapsed = Boolean(data.collapsed);
  const style = useMemo(() => nodeColorVars(data.color, spec?.category), [data.color, spec?.category]);
  const Chevron = collapsed ? ChevronRight : ChevronDown;
  return (
    <div
      className={classes.node}
      style={style}
      data-selected={selected || undefined}
      data-collapsed={collapsed || undefined}
      data-problem={data.problems?.some((problem) => problem.severity === 'error') || undefined}
    >
      <div className={classes.nodeHeader}>
        <span className={classes.nodeIcon} aria-hidden>
          <Icon size={14} strokeWidth={2.2} />
        </span>
        <div className={classes.nodeHeading}>
          <Title id={id} title={title} />
          <div className={classes.nodeType}>{data.kind}</div>
        </div>
        {data.problems && data.problems.length > 0 && <ProblemBadge problems={data.problems} />}
        <button
          type="button"
          className={`${classes.collapse} nodrag`}
          aria-label={collapsed ? 'Expand node' : 'Collapse node'}
          aria-expanded={!collapsed}
          onClick={() => store.getState().updateNodeData(id, { collapsed: collapsed ? undefined : true })}
        >
          <Chevron size={14} />
        </button>
      </div>
      {!collapsed && summary.length > 0 && (
        <dl className={classes.summary}>
          {summary.map((item) => (
            <div key={item.label} className={classes.summaryRow}>
              <dt>{item.label}</dt>
              <dd>{item.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {ports ? (
        (ports.inputs.length > 0 || ports.outputs.length > 0) && (
          <div className={classes.ports} data-collapsed={collapsed || undefined}>
            {ports.inputs.map((port) => (
              <PortRow key={`in-${port.name}`} port={port} side="input" collapsed={collapsed} />
            ))}
            {ports.outputs.map((port) => (
              <PortRow key={`out-${port.name}`} port={port} side="output" collapsed={collapsed} />
            ))}
          </div>
        )
      ) : (
        <div className={classes.unknownKind}>Unknown node type</div>
      )}
      <NodeRunStatus id={id} data={data} />
    </div>
  );
}

export const WorkflowNode = memo(WorkflowNodeView);

/** Stable map for React Flow's `nodeTypes` prop (defined once, outside render). */
export const nodeTypes = { workflow: WorkflowNode, note: NoteNode, nodeGroup: GroupNode };
