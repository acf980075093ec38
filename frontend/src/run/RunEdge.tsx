/**
 * The canvas's default edge, aware of the run on show: it animates while data flows along
 * it (source busy or done, target running) and settles in the success colour once both
 * ends are done. It reads the run store through a selector, so only edges whose state
 * changes repaint.
 */
import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';

import { useOptionalRunStore } from './context';
import classes from './run.module.css';
import { selectEdgeRun } from './store';

function RunEdgeView({
  id,
  source,
  target,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  style,
  markerStart,
  markerEnd,
  interactionWidth,
}: EdgeProps) {
  const [path] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const state = useOptionalRunStore(selectEdgeRun(source, target));
  return (
    <BaseEdge
      id={id}
      path={path}
      style={style}
      markerStart={markerStart}
      markerEnd={markerEnd}
      interactionWidth={interactionWidth}
      className={state ? classes.edge : undefined}
      data-run={state ?? undefined}
    />
  );
}

export const RunEdge = memo(RunEdgeView);

/** For React Flow's `edgeTypes` (defined once, outside render). */
export const edgeTypes = { default: RunEdge };
