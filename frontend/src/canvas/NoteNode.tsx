/** A sticky note: Markdown shown on the canvas, edited in place on double-click. */
import type { NodeProps } from '@xyflow/react';
import { lazy, memo, Suspense, useState } from 'react';

import classes from './canvas.module.css';
import { useEditorStoreApi } from './context';
import type { NoteFlowNode } from './types';

// The Markdown renderer is its own chunk: editors without notes never download it.
const Markdown = lazy(() => import('./markdown').then((module) => ({ default: module.Markdown })));

function NoteNodeView({ id, data, selected }: NodeProps<NoteFlowNode>) {
  const store = useEditorStoreApi();
  const [editing, setEditing] = useState(false);
  const text = typeof data.params.text === 'string' ? data.params.text : '';
  return (
    <div
      className={classes.note}
      data-selected={selected || undefined}
      onDoubleClick={() => setEditing(true)}
    >
      {editing ? (
        <textarea
          className={`${classes.noteInput} nodrag nowheel`}
          aria-label="Note text"
          defaultValue={text}
          autoFocus
          onKeyDown={(event) => {
            event.stopPropagation();
            if (event.key === 'Escape') event.currentTarget.blur();
          }}
          onBlur={(event) => {
            setEditing(false);
            if (event.currentTarget.value !== text) {
              store
                .getState()
                .updateNodeData(id, { params: { ...data.params, text: event.currentTarget.value } });
            }
          }}
        />
      ) : text.trim() ? (
        <Suspense fallback={<p className={classes.notePending}>{text}</p>}>
          <Markdown text={text} />
        </Suspense>
      ) : (
        <p className={classes.notePlaceholder}>Double-click to write a note (Markdown)</p>
      )}
    </div>
  );
}

export const NoteNode = memo(NoteNodeView);
