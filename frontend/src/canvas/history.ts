/**
 * Undo/redo as snapshots of the graph (nodes and edges are immutable arrays, so a
 * snapshot shares everything that did not change). Typing into one field, or nudging with
 * the arrow keys, coalesces into one step while it continues.
 */
import type { AppEdge, AppNode } from './types';

export interface Snapshot {
  nodes: AppNode[];
  edges: AppEdge[];
}

export interface History {
  past: Snapshot[];
  future: Snapshot[];
  /** The last step's coalescing key and time. */
  last: { key: string; at: number } | null;
}

export const HISTORY_LIMIT = 200;
const COALESCE_MS = 1000;

export const emptyHistory = (): History => ({ past: [], future: [], last: null });

/** Record `current` as an undo step before an edit; `key` coalesces quick repeats of one edit. */
export function record(history: History, current: Snapshot, key: string | null, now: number): History {
  if (key !== null && history.last?.key === key && now - history.last.at < COALESCE_MS) {
    return { ...history, future: [], last: { key, at: now } };
  }
  const past = [...history.past, current];
  if (past.length > HISTORY_LIMIT) past.shift();
  return { past, future: [], last: key === null ? null : { key, at: now } };
}

export function undo(history: History, current: Snapshot): [History, Snapshot] | null {
  const previous = history.past.at(-1);
  if (!previous) return null;
  return [{ past: history.past.slice(0, -1), future: [current, ...history.future], last: null }, previous];
}

export function redo(history: History, current: Snapshot): [History, Snapshot] | null {
  const next = history.future[0];
  if (!next) return null;
  return [{ past: [...history.past, current], future: history.future.slice(1), last: null }, next];
}
