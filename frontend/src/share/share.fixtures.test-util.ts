/** For the share tests: a workflow, a run, a link as the API sends them, and a WebSocket
 * that only records where it was opened. */
import type { ListedRun, RunStatus, RunSummary } from '../run/types';
import type { SharedRuns } from './api';

export const SLOW = 20_000;
/** The shared page is a lazy route (it brings the canvas): its first load takes a while. */
export const LAZY = 8000;

export const link = (id: string, scope: string, extra: Record<string, unknown> = {}) => ({
  id,
  workflow_id: 'w1',
  scope,
  expires_at: null,
  run_limit_per_hour: null,
  created_at: new Date(Date.now() - 3600_000).toISOString(),
  revoked_at: null,
  token_prefix: `tok${id}`,
  show_owner_latest_run: false,
  ...extra,
});

export const workflowDocument = {
  format: 'nodeloom.workflow',
  version: 1,
  name: 'Support answers',
  description: '',
  nodes: [
    { id: 'q', type: 'io.input', position: { x: 0, y: 0 }, params: { name: 'question' } },
    { id: 'out', type: 'io.output', position: { x: 300, y: 0 }, params: { name: 'answer' } },
  ],
  edges: [{ id: 'e1', source: 'q', sourceHandle: 'value', target: 'out', targetHandle: 'value' }],
  viewport: { x: 0, y: 0, zoom: 1 },
  credentials: [],
};

export const workflow = {
  id: 'w1',
  name: 'Support answers',
  description: '',
  version: 4,
  node_count: 2,
  runnable: true,
  created_at: '2026-01-01T10:00:00Z',
  updated_at: '2026-01-01T10:00:00Z',
  document: workflowDocument,
  problems: [],
};

export const run = {
  id: 'r1',
  workflow_id: 'w1',
  workflow_version: 4,
  status: 'queued',
  created_at: new Date().toISOString(),
};

export class FakeSocket {
  static urls: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  constructor(url: string) {
    FakeSocket.urls.push(url);
  }
  close() {}
}

/** A run as `listSharedRuns` lists it. */
export const listedRun = (id: string, number: number, status: RunStatus, minutesAgo = 1): ListedRun => ({
  id,
  workflow_id: 'w1',
  workflow_version: 4,
  status,
  number,
  created_at: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  started_at: null,
  finished_at: null,
  duration_ms: status === 'succeeded' ? 1200 : null,
  error: null,
});

/** What `listSharedRuns` answers. */
export const sharedRuns = (yours: ListedRun[] = [], ownerLatest: RunSummary | null = null): SharedRuns => ({
  yours,
  owner_latest: ownerLatest,
});

/** jsdom has no FontFaceSet; Mantine's autosizing textarea (the run inputs) listens on it. */
export function stubFontFaces() {
  if (!(document as { fonts?: unknown }).fonts) {
    Object.defineProperty(Document.prototype, 'fonts', {
      configurable: true,
      get: () => ({ addEventListener: () => {}, removeEventListener: () => {} }),
    });
  }
}
