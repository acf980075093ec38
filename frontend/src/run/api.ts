/** Run resource: requests, query keys and query-cache hooks. */
import { useInfiniteQuery } from '@tanstack/react-query';

import { api, unwrap } from '../api/client';
import { isFinished, type ListedRun, type RunPage, type RunStatus } from './types';

export const runKeys = {
  all: ['runs'] as const,
  lists: () => [...runKeys.all, 'list'] as const,
  list: (workflowId: string) => [...runKeys.lists(), workflowId] as const,
};

export const startRun = (workflowId: string, inputs: Record<string, string>) =>
  unwrap(
    api.POST('/api/v1/workflows/{workflow_id}/runs', {
      params: { path: { workflow_id: workflowId } },
      body: { inputs },
    }),
  );

export const cancelRun = (runId: string) =>
  unwrap(api.POST('/api/v1/runs/{run_id}/cancel', { params: { path: { run_id: runId } } }));

/** Runs per page of the run panel ("Load older runs" asks for the next one). */
export const RUNS_PAGE_SIZE = 50;

export const listWorkflowRuns = (workflowId: string, status: RunStatus | null, offset = 0) =>
  unwrap(
    api.GET('/api/v1/workflows/{workflow_id}/runs', {
      params: {
        path: { workflow_id: workflowId },
        query: { limit: RUNS_PAGE_SIZE, offset, ...(status ? { status } : {}) },
      },
    }),
  );

/** The workflow's runs (all, or those in `status`), newest first, a page at a time; polled
 * while one is still going. */
export function useWorkflowRuns(workflowId: string, status: RunStatus | null, enabled = true) {
  return useInfiniteQuery({
    queryKey: [...runKeys.list(workflowId), status ?? 'all'],
    queryFn: ({ pageParam }) => listWorkflowRuns(workflowId, status, pageParam),
    initialPageParam: 0,
    getNextPageParam: (last: RunPage) => {
      const next = last.offset + last.items.length;
      return last.items.length > 0 && next < last.total ? next : undefined;
    },
    enabled,
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.items.some((run) => !isFinished(run.status)))
        ? 2000
        : false,
  });
}

/** The pages as one list, each run once (a run started meanwhile shifts later pages), and
 * how many runs match. */
export function pagedRuns(pages: readonly RunPage[]): { runs: ListedRun[]; total: number } {
  const seen = new Set<string>();
  const runs: ListedRun[] = [];
  for (const run of pages.flatMap((page) => page.items)) {
    if (seen.has(run.id)) continue;
    seen.add(run.id);
    runs.push(run);
  }
  return { runs, total: pages[0]?.total ?? 0 };
}
