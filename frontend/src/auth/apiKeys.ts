/** API keys in the query cache. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { createApiKey, listApiKeys, revokeApiKey } from './api';

export const apiKeyKeys = { all: ['api-keys'] as const };

export const useApiKeys = () => useQuery({ queryKey: apiKeyKeys.all, queryFn: listApiKeys });

function useRefresh() {
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: apiKeyKeys.all });
}

export function useCreateApiKey() {
  return useMutation({ mutationFn: createApiKey, onSuccess: useRefresh() });
}

export function useRevokeApiKey() {
  return useMutation({ mutationFn: revokeApiKey, onSuccess: useRefresh() });
}
