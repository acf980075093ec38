/** Workflow resource: request functions, query keys and the query-cache hooks. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, ifMatch, unwrap } from './client';
import { networkError, toApiError } from './errors';
import type { ListWorkflowsQuery, Workflow, WorkflowDocument } from './types';
import { filenameFromContentDisposition } from '../lib/download';

export const workflowKeys = {
  all: ['workflows'] as const,
  lists: () => [...workflowKeys.all, 'list'] as const,
  list: (query: ListWorkflowsQuery) => [...workflowKeys.lists(), query] as const,
  detail: (id: string) => [...workflowKeys.all, 'detail', id] as const,
  versions: (id: string) => [...workflowKeys.all, 'versions', id] as const,
  version: (id: string, version: number) => [...workflowKeys.all, 'versions', id, version] as const,
};

export const listWorkflows = (query: ListWorkflowsQuery) =>
  unwrap(api.GET('/api/v1/workflows', { params: { query } }));

export const getWorkflow = (id: string) =>
  unwrap(api.GET('/api/v1/workflows/{workflow_id}', { params: { path: { workflow_id: id } } }));

export const createWorkflow = (body: { name: string; description?: string }) =>
  unwrap(api.POST('/api/v1/workflows', { body }));

export const saveWorkflow = (id: string, version: number, document: WorkflowDocument) =>
  unwrap(
    api.PUT('/api/v1/workflows/{workflow_id}', {
      params: { path: { workflow_id: id }, header: { 'If-Match': ifMatch(version) } },
      body: document,
    }),
  );

export const renameWorkflow = (id: string, body: { name?: string; description?: string }) =>
  unwrap(api.PATCH('/api/v1/workflows/{workflow_id}', { params: { path: { workflow_id: id } }, body }));

export const duplicateWorkflow = (id: string) =>
  unwrap(
    api.POST('/api/v1/workflows/{workflow_id}/duplicate', {
      params: { path: { workflow_id: id } },
      body: {},
    }),
  );

export const deleteWorkflow = (id: string) =>
  unwrap(api.DELETE('/api/v1/workflows/{workflow_id}', { params: { path: { workflow_id: id } } }));

export const importWorkflow = (document: WorkflowDocument) =>
  unwrap(api.POST('/api/v1/workflows/import', { body: document }));

export interface ExportedFile {
  filename: string;
  blob: Blob;
}

/** The export bytes exactly as the server wrote them, with the server's file name. */
export async function exportWorkflow(id: string, fallbackName: string): Promise<ExportedFile> {
  let outcome;
  try {
    outcome = await api.GET('/api/v1/workflows/{workflow_id}/export', {
      params: { path: { workflow_id: id } },
      parseAs: 'blob',
    });
  } catch (cause) {
    throw networkError(cause);
  }
  const { data, error, response } = outcome;
  if (!response.ok || data === undefined) throw toApiError(response, error);
  const filename =
    filenameFromContentDisposition(response.headers.get('Content-Disposition')) ??
    `${fallbackName}.nodeloom.json`;
  return { filename, blob: data };
}

export function useWorkflowList(query: ListWorkflowsQuery) {
  return useQuery({
    queryKey: workflowKeys.list(query),
    queryFn: () => listWorkflows(query),
    placeholderData: keepPreviousData,
  });
}

export function useWorkflow(id: string) {
  return useQuery({
    queryKey: workflowKeys.detail(id),
    queryFn: () => getWorkflow(id),
    // The editor owns the document once loaded; refetching under it would only confuse.
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    staleTime: Infinity,
  });
}

/** Keep the cache in step after any write that returns the new workflow. */
function useStoreWorkflow() {
  const queryClient = useQueryClient();
  return (workflow: Workflow) => {
    queryClient.setQueryData(workflowKeys.detail(workflow.id), workflow);
    void queryClient.invalidateQueries({ queryKey: workflowKeys.lists() });
  };
}

export function useCreateWorkflow() {
  const store = useStoreWorkflow();
  return useMutation({ mutationFn: createWorkflow, onSuccess: store });
}

export function useRenameWorkflow() {
  const store = useStoreWorkflow();
  return useMutation({
    mutationFn: ({ id, name, description }: { id: string; name: string; description?: string }) =>
      renameWorkflow(id, { name, description }),
    onSuccess: store,
  });
}

export function useDuplicateWorkflow() {
  const store = useStoreWorkflow();
  return useMutation({ mutationFn: duplicateWorkflow, onSuccess: store });
}

export function useImportWorkflow() {
  const store = useStoreWorkflow();
  return useMutation({ mutationFn: importWorkflow, onSuccess: store });
}

export function useDeleteWorkflow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteWorkflow,
    onSuccess: (_data, id) => {
      queryClient.removeQueries({ queryKey: workflowKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: workflowKeys.lists() });
    },
  });
}

export function useSaveWorkflow(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ version, document }: { version: number; document: WorkflowDocument }) =>
      saveWorkflow(id, version, document),
    onSuccess: (workflow) => {
      queryClient.setQueryData(workflowKeys.detail(id), workflow);
      void queryClient.invalidateQueries({ queryKey: workflowKeys.lists() });
    },
  });
}

export const listVersions = (id: string) =>
  unwrap(
    api.GET('/api/v1/workflows/{workflow_id}/versions', {
      params: { path: { workflow_id: id }, query: { limit: 200 } },
    }),
  );

export const getVersion = (id: string, version: number) =>
  unwrap(
    api.GET('/api/v1/workflows/{workflow_id}/versions/{version}', {
      params: { path: { workflow_id: id, version } },
    }),
  );

export const restoreVersion = (id: string, version: number, current: number) =>
  unwrap(
    api.POST('/api/v1/workflows/{workflow_id}/versions/{version}/restore', {
      params: { path: { workflow_id: id, version }, header: { 'If-Match': ifMatch(current) } },
    }),
  );

export function useVersions(id: string, enabled: boolean) {
  return useQuery({
    queryKey: workflowKeys.versions(id),
    queryFn: () => listVersions(id),
    enabled,
    staleTime: 0,
  });
}

export function useVersion(id: string, version: number | null) {
  return useQuery({
    queryKey: workflowKeys.version(id, version ?? 0),
    queryFn: () => getVersion(id, version!),
    enabled: version !== null,
    staleTime: Infinity,
  });
}
