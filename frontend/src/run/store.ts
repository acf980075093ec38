/**
 * The run-status store: one per open editor, made by a factory and provided through
 * context (context.tsx). It holds the picture of the run on show and the socket's state —
 * nothing about the graph. Incoming events are buffered and applied together once per
 * animation frame, so a burst of tokens repaints the canvas at most once a frame.
 */
import { createStore } from 'zustand/vanilla';

import { applyEvent } from './handlers';
import { emptyPicture, type NodeRun, type NodeStatus, type RunPicture } from './picture';
import type { SocketState } from './socket';
import type { RunEvent } from './types';

export type ConnectionState = 'idle' | SocketState;

export interface RunState {
  /** The run shown on the canvas, or null for none. */
  picture: RunPicture | null;
  /** Bumped by every `show`, so showing the same run again starts a fresh follow. */
  session: number;
  connection: ConnectionState;
  /** Show `runId` from scratch (its events then arrive through `receive`). */
  show: (runId: string) => void;
  /** Stop showing any run. */
  clear: () => void;
  /** Queue an event; it is applied on the next animation frame. */
  receive: (event: RunEvent) => void;
  /** Apply every queued event now (the frame callback; tests call it too). */
  flush: () => void;
  setConnection: (connection: ConnectionState) => void;
}

export type RunStore = ReturnType<typeof createRunStore>;

export interface FrameScheduler {
  request: (callback: () => void) => number;
  cancel: (handle: number) => void;
}

const animationFrames: FrameScheduler = {
  request: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle),
};

export function createRunStore(frames: FrameScheduler = animationFrames) {
  return createStore<RunState>()((set, get) => {
    let pending: RunEvent[] = [];
    let frame: number | null = null;

    const drop = () => {
      pending = [];
      if (frame !== null) frames.cancel(frame);
      frame = null;
    };

    return {
      picture: null,
      session: 0,
      connection: 'idle',
      show: (runId) => {
        drop();
        set({ picture: emptyPicture(runId), session: get().session + 1, connection: 'idle' });
      },
      clear: () => {
        drop();
        set({ picture: null, connection: 'idle' });
      },
      receive: (event) => {
        pending.push(event);
        frame ??= frames.request(() => get().flush());
      },
      flush: () => {
        const events = pending;
        drop();
        const { picture } = get();
        if (!picture || events.length === 0) return;
        const next = events.reduce(applyEvent, picture);
        if (next !== picture) set({ picture: next });
      },
      setConnection: (connection) => set({ connection }),
    };
  });
}

/** Selectors, stable for use with `useRunStore`. */
export const selectRunId = (state: RunState) => state.picture?.runId ?? null;
export const selectRunStatus = (state: RunState) => state.picture?.status ?? null;
export const selectNodeRun =
  (id: string) =>
  (state: RunState): NodeRun | undefined =>
    state.picture?.nodes[id];

export type EdgeRun = 'flowing' | 'done';

const DELIVERED: ReadonlySet<NodeStatus> = new Set(['succeeded', 'cached']);

/**
 * An edge's part in the run: `flowing` while its source is busy or done and its target
 * is running; `done` once both ends have finished well; null otherwise.
 */
export function selectEdgeRun(source: string, target: string) {
  return (state: RunState): EdgeRun | null => {
    const nodes = state.picture?.nodes;
    const from = nodes?.[source]?.status;
    const to = nodes?.[target]?.status;
    if (!from || !to || (!DELIVERED.has(from) && from !== 'running')) return null;
    if (to === 'running') return 'flowing';
    return DELIVERED.has(from) && DELIVERED.has(to) ? 'done' : null;
  };
}
