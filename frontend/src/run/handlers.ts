/**
 * One handler per run event type: each takes the picture and its event and returns the
 * next picture. The map is exhaustive over the generated union, so a new event type does
 * not compile until it has a handler; `applyEvent` adds the per-run `seq` dedupe.
 */
import { emptyNode, interruptNodes, patchNode, TOKEN_TAIL, type RunPicture } from './picture';
import type { EventOf, RunEvent, RunEventType } from './types';

type Handler<T extends RunEventType> = (picture: RunPicture, event: EventOf<T>) => RunPicture;
type Handlers = { [T in RunEventType]: Handler<T> };

export const onRunQueued: Handler<'run.queued'> = (picture, event) => ({
  ...picture,
  status: 'queued',
  queuedAt: event.ts,
});

export const onRunStarted: Handler<'run.started'> = (picture, event) => {
  const nodes = { ...picture.nodes };
  for (const id of event.data.node_ids) nodes[id] ??= emptyNode();
  return { ...picture, status: 'running', startedAt: event.ts, nodes };
};

export const onNodeStarted: Handler<'node.started'> = (picture, event) =>
  patchNode(picture, event.node_id, {
    status: 'running',
    startedAt: event.ts,
    attempt: event.data.attempt,
    tokens: '',
    error: undefined,
    durationMs: undefined,
  });

export const onNodeToken: Handler<'node.token'> = (picture, event) => {
  const tokens = (picture.nodes[event.node_id]?.tokens ?? '') + event.data.text;
  return patchNode(picture, event.node_id, {
    tokens: tokens.length > TOKEN_TAIL ? tokens.slice(-TOKEN_TAIL) : tokens,
  });
};

export const onNodeSucceeded: Handler<'node.succeeded'> = (picture, event) =>
  patchNode(picture, event.node_id, {
    status: 'succeeded',
    durationMs: event.data.duration_ms,
    outputs: event.data.outputs,
    truncated: event.data.truncated,
    usage: event.data.usage,
    attempt: event.data.attempt,
  });

export const onNodeFailed: Handler<'node.failed'> = (picture, event) =>
  patchNode(picture, event.node_id, {
    status: 'failed',
    durationMs: event.data.duration_ms,
    error: event.data.error,
    attempt: event.data.attempt,
  });

export const onNodeSkipped: Handler<'node.skipped'> = (picture, event) =>
  patchNode(picture, event.node_id, { status: 'skipped', reason: event.data.reason });

export const onNodeCached: Handler<'node.cached'> = (picture, event) =>
  patchNode(picture, event.node_id, {
    status: 'cached',
    outputs: event.data.outputs,
    truncated: event.data.truncated,
  });

export const onRunSucceeded: Handler<'run.succeeded'> = (picture, event) => ({
  ...picture,
  status: 'succeeded',
  finishedAt: event.ts,
  durationMs: event.data.duration_ms,
  outputs: event.data.outputs,
});

export const onRunFailed: Handler<'run.failed'> = (picture, event) => ({
  ...interruptNodes(picture, event.data.interrupted),
  status: 'failed',
  finishedAt: event.ts,
  durationMs: event.data.duration_ms,
  error: event.data.error,
  errorNodeId: event.data.node_id,
});

export const onRunCancelled: Handler<'run.cancelled'> = (picture, event) => ({
  ...interruptNodes(picture, event.data.interrupted),
  status: 'cancelled',
  finishedAt: event.ts,
  durationMs: event.data.duration_ms,
});

export const handlers: Handlers = {
  'run.queued': onRunQueued,
  'run.started': onRunStarted,
  'node.started': onNodeStarted,
  'node.token': onNodeToken,
  'node.succeeded': onNodeSucceeded,
  'node.failed': onNodeFailed,
  'node.skipped': onNodeSkipped,
  'node.cached': onNodeCached,
  'run.succeeded': onRunSucceeded,
  'run.failed': onRunFailed,
  'run.cancelled': onRunCancelled,
};

/**
 * The picture after `event`: unchanged for another run's event, a duplicate (`seq` at or
 * below the last applied) or an event type this build does not know (logged, not thrown).
 */
export function applyEvent(picture: RunPicture, event: RunEvent): RunPicture {
  if (event.run_id !== picture.runId || event.seq <= picture.lastSeq) return picture;
  const handler = handlers[event.type] as Handler<RunEventType> | undefined;
  if (!handler) {
    console.warn(`Ignoring run event of unknown type ${JSON.stringify(event.type)}`);
    return { ...picture, lastSeq: event.seq };
  }
  return { ...handler(picture, event as EventOf<RunEventType>), lastSeq: event.seq };
}
