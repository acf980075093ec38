/** Admin: every account, and disabling one. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import type { User } from '../../auth/api';
import { api, unwrap } from '../../api/client';

export const listUsers = () => unwrap(api.GET('/api/v1/admin/users'));
export const updateUser = (id: string, body: { disabled: boolean }) =>
  unwrap(api.PATCH('/api/v1/admin/users/{user_id}', { params: { path: { user_id: id } }, body }));

export const adminKeys = { users: ['admin', 'users'] as const };

export const useUsers = () => useQuery({ queryKey: adminKeys.users, queryFn: listUsers });

export function useSetUserDisabled() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, disabled }: { id: string; disabled: boolean }) => updateUser(id, { disabled }),
    onSuccess: (user) =>
      queryClient.setQueryData<User[]>(adminKeys.users, (users) =>
        users?.map((candidate) => (candidate.id === user.id ? user : candidate)),
      ),
  });
}
