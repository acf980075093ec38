/** A group: a titled, resizable frame drawn behind nodes; dragging it moves what is inside. */
import { NodeResizer, type NodeProps } from '@xyflow/react';
import { memo, useState, type CSSProperties } from 'react';

import classes from './canvas.module.css';
import { useEditorStoreApi } from './context';
import { GROUP_MIN_SIZE, groupColor } from './groups';
import type { GroupFlowNode } from './types';

function GroupTitle({ id, params }: { id: string; params: Record<string, unknown> }) {
  const store = useEditorStoreApi();
  const [editing, setEditing] = useState(false);
  const title = typeof params.title === 'string' ? params.title : '';
  if (!editing) {
    return (
      <div
        className={classes.groupTitle}
        onDoubleClick={() => setEditing(true)}
        title="Double-click to rename"
      >
        {title.trim() || 'Group'}
      </div>
    );
  }
  const finish = (value: string) => {
    setEditing(false);
    if (value.trim() !== title)
      store.getState().updateNodeData(id, { params: { ...params, title: value.trim() } });
  };
  return (
    <input
      className={`${classes.groupTitleInput} nodrag`}
      defaultValue={title}
      aria-label="Group title"
      autoFocus
      onBlur={(event) => finish(event.currentTarget.value)}
      onKeyDown={(event) => {
        event.stopPropagation();
        if (event.key === 'Enter') finish(event.currentTarget.value);
        if (event.key === 'Escape') setEditing(false);
      }}
    />
  );
}

function GroupNodeView({ id, data, selected }: NodeProps<GroupFlowNode>) {
  const color = groupColor(data.params.color);
  const style = { '--group-color': `var(--mantine-color-${color}-6)` } as CSSProperties;
  return (
    <div className={classes.group} style={style} data-selected={selected || undefined}>
      <NodeResizer
        isVisible={selected}
        minWidth={GROUP_MIN_SIZE.width}
        minHeight={GROUP_MIN_SIZE.height}
        lineClassName={classes.groupResizeLine}
        handleClassName={classes.groupResizeHandle}
      />
      <GroupTitle id={id} params={data.params} />
    </div>
  );
}

export const GroupNode = memo(GroupNodeView);
