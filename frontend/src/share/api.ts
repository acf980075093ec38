/** Share links: the owner's side (create, list, change, revoke) and the visitor's (open, their
 * runs, run, save, copy). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';

import { api, ifMatch, unwrap } from '../api/client';
import type { components } from '../api/schema';
import type { WorkflowDocument } from '../api/types';
import { hasLiveRun } from './sharedRuns';

type Schemas = components['schemas'];
export type ShareScope = Schemas['Scope'];
export type ShareLink = Schemas['ShareLink'];
/** Only the answer to `createShareLink` carries the token (and so the whole URL). */
export type NewShareLink = Schemas['CreatedShareLink'];
export type NewShareLinkBody = Schemas['NewShareLink'];
export type SharedWorkflow = Schemas['SharedWorkflow'];
/** What a visitor may see of the workflow's runs: their own, and maybe the owner's latest. */
export type SharedRuns = Schemas['SharedRuns'];

const link = (token: string) => ({ params: { path: { token } } });

export const createShareLink = (workflowId: string, body: NewShareLinkBody) =>
  unwrap(
    api.POST('/api/v1/workflows/{workflow_id}/share-links', {
      params: { path: { workflow_id: workflowId } },
      body,
    }),
  );
export const listShareLinks = (workflowId: string) =>
  unwrap(
    api.GET('/api/v1/workflows/{workflow_id}/share-links', { params: { path: { workflow_id: workflowId } } }),
  );
export const updateShareLink = (linkId: string, body: Schemas['ShareLinkChange']) =>
  unwrap(api.PATCH('/api/v1/share-links/{link_id}', { params: { path: { link_id: linkId } }, body }));
export const revokeShareLink = (linkId: string) =>
  unwrap(api.DELETE('/api/v1/share-links/{link_id}', { params: { path: { link_id: linkId } } }));

export const getShared = (token: string) => unwrap(api.GET('/api/v1/shared/{token}', link(token)));
export const listSharedRuns = (token: string) => unwrap(api.GET('/api/v1/shared/{token}/runs', link(token)));
export const startSharedRun = (token: string, inputs: Record<string, string>) =>
  unwrap(api.POST('/api/v1/shared/{token}/runs', { ...link(token), body: { inputs } }));
export const saveShared = (token: string, version: number, document: WorkflowDocument) =>
  unwrap(
    api.PUT('/api/v1/shared/{token}/workflow', {
      params: { path: { token }, header: { 'If-Match': ifMatch(version) } },
      body: document,
    }),
  );
export const duplicateShared = (token: string) =>
  unwrap(api.POST('/api/v1/shared/{token}/duplicate', link(token)));

/** The shared run's event socket: the same stream as the owner's, authorised by the token. */
export function sharedRunEventsUrl(token: string) {
  return (runId: string, after: number): string => {
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${window.location.host}/api/v1/shared/${encodeURIComponent(token)}/runs/${encodeURIComponent(runId)}/events?after=${after}`;
  };
}

/** The full address of a share link, for copying. */
export const shareUrl = (path: string) => new URL(path, window.location.origin).toString();

export const shareKeys = {
  links: (workflowId: string) => ['share-links', workflowId] as const,
  shared: (token: string) => ['shared', token] as const,
  runs: (token: string) => ['shared', token, 'runs'] as const,
};

export function useShareLinks(workflowId: string, enabled: boolean) {
  return useQuery({
    queryKey: shareKeys.links(workflowId),
    queryFn: () => listShareLinks(workflowId),
    enabled,
    staleTime: 0,
  });
}

export function useCreateShareLink(workflowId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewShareLinkBody) => createShareLink(workflowId, body),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: shareKeys.links(workflowId) }),
  });
}

/** Turns a link's "show my latest run" on or off; the list shows the link's new state. */
export function useUpdateShareLink(workflowId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ linkId, shown }: { linkId: string; shown: boolean }) =>
      updateShareLink(linkId, { show_owner_latest_run: shown }),
    onSuccess: (changed) =>
      queryClient.setQueryData<ShareLink[]>(shareKeys.links(workflowId), (links) =>
        links?.map((item) => (item.id === changed.id ? changed : item)),
      ),
  });
}

export function useRevokeShareLink(workflowId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeShareLink,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: shareKeys.links(workflowId) }),
  });
}

export function useShared(token: string) {
  return useQuery({
    queryKey: shareKeys.shared(token),
    queryFn: () => getShared(token),
    // The page owns the document once loaded, like the editor.
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    staleTime: Infinity,
  });
}

/** The runs this visitor may see, polled while one of them is still going. */
export function useSharedRuns(token: string) {
  return useQuery({
    queryKey: shareKeys.runs(token),
    queryFn: () => listSharedRuns(token),
    refetchInterval: (query) => (query.state.data && hasLiveRun(query.state.data) ? 2000 : false),
  });
}

/** Starts a run through the link and lists it among the visitor's runs at once. */
export function useStartSharedRun(token: string) {
  const queryClient = useQueryClient();
  return useCallback(
    async (inputs: Record<string, string>) => {
      const run = await startSharedRun(token, inputs);
      void queryClient.invalidateQueries({ queryKey: shareKeys.runs(token) });
      return run;
    },
    [token, queryClient],
  );
}
