/** How run and node states look: one label, colour and tone per status. */
import type { NodeStatus } from './picture';
import type { RunStatus } from './types';

export interface StatusLook {
  label: string;
  /** A Mantine colour name. */
  color: string;
}

export const NODE_STATUS: Record<NodeStatus, StatusLook> = {
  queued: { label: 'Queued', color: 'gray' },
  running: { label: 'Running', color: 'blue' },
  succeeded: { label: 'Succeeded', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  skipped: { label: 'Skipped', color: 'gray' },
  cached: { label: 'Cached', color: 'violet' },
  interrupted: { label: 'Stopped', color: 'orange' },
};

export const RUN_STATUS: Record<RunStatus, StatusLook> = {
  queued: { label: 'Queued', color: 'gray' },
  running: { label: 'Running', color: 'blue' },
  succeeded: { label: 'Succeeded', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'orange' },
};

/** "840 ms", "2.4 s", "1 m 05 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} m ${String(seconds).padStart(2, '0')} s`;
}

/** A short text for an output preview value (strings as they are, the rest as JSON). */
export function previewText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
