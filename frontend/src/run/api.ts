/** Run resource: requests, query keys and query-cache hooks. */
import { useQuery } from '@tanstack/react-query';

import { api, unwrap } from '../api/client';
import type { RunStatus } from './types';

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

export const listWorkflowRuns = (workflowId: string, status?: RunStatus) =>
  unwrap(
    api.GET('/api/v1/workflows/{workflow_id}/runs', {
      params: { path: { workflow_id: workflowId }, query: { limit: 50, status } },
    }),
  );

/** The workflow's latest runs; polled while one of them is still going. */
export function useWorkflowRuns(workflowId: string, enabled = true) {
  return useQuery({
    queryKey: runKeys.list(workflowId),
    queryFn: () => listWorkflowRuns(workflowId),
    enabled,
    refetchInterval: (query) =>
      query.state.data?.items.some((run) => run.status === 'queued' || run.status === 'running')
        ? 2000
        : false,
  });
}
