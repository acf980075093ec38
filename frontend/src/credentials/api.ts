/** Credentials: provider keys stored encrypted on the server; the secret never comes back. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';

type Schemas = components['schemas'];
export type Credential = Schemas['Credential'];
export type NewCredential = Schemas['NewCredential'];
export type CredentialChanges = Schemas['CredentialChange'];
export type CheckResult = Schemas['CheckOutcome'];

export const listCredentials = () => unwrap(api.GET('/api/v1/credentials'));
export const createCredential = (body: NewCredential) => unwrap(api.POST('/api/v1/credentials', { body }));
export const updateCredential = (id: string, body: CredentialChanges) =>
  unwrap(api.PATCH('/api/v1/credentials/{credential_id}', { params: { path: { credential_id: id } }, body }));
export const deleteCredential = (id: string) =>
  unwrap(api.DELETE('/api/v1/credentials/{credential_id}', { params: { path: { credential_id: id } } }));
export const checkCredential = (id: string) =>
  unwrap(api.POST('/api/v1/credentials/{credential_id}/check', { params: { path: { credential_id: id } } }));

export const credentialKeys = { all: ['credentials'] as const };

export function useCredentials(enabled = true) {
  return useQuery({ queryKey: credentialKeys.all, queryFn: listCredentials, enabled });
}

function useRefresh() {
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: credentialKeys.all });
}

export function useCreateCredential() {
  return useMutation({ mutationFn: createCredential, onSuccess: useRefresh() });
}

export function useUpdateCredential() {
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: CredentialChanges }) =>
      updateCredential(id, changes),
    onSuccess: useRefresh(),
  });
}

export function useDeleteCredential() {
  return useMutation({ mutationFn: deleteCredential, onSuccess: useRefresh() });
}

export function useCheckCredential() {
  return useMutation({ mutationFn: checkCredential });
}
