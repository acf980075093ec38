/** `/admin/users` (admins only): every account, with a switch to disable one. */
import {
  Alert,
  Avatar,
  Badge,
  Container,
  Group,
  Paper,
  Skeleton,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { CircleAlert } from 'lucide-react';

import { ListTable } from '../../layout/ListTable';
import { errorMessage } from '../../api/errors';
import type { User } from '../../auth/api';
import { useSession } from '../../auth/session';
import { initials } from '../../auth/UserMenu';
import { formatDateTime, formatRelativeTime } from '../../lib/format';
import { NotFoundPage } from '../NotFoundPage';
import { useSetUserDisabled, useUsers } from './api';

export function AdminUsersPage() {
  const session = useSession();
  if (!session.user?.is_admin) return <NotFoundPage />;
  return <UsersList me={session.user} />;
}

function UsersList({ me }: { me: User }) {
  const users = useUsers();
  const setDisabled = useSetUserDisabled();
  const toggle = (user: User, disabled: boolean) =>
    setDisabled.mutate(
      { id: user.id, disabled },
      {
        onSuccess: () =>
          notifications.show({
            color: 'teal',
            message: disabled ? `${user.email} can no longer sign in` : `${user.email} can sign in again`,
          }),
        onError: (error) =>
          notifications.show({
            color: 'red',
            title: 'Could not change the account',
            message: errorMessage(error),
          }),
      },
    );

  return (
    <Container size="xl" py="xl">
      <Stack gap="lg">
        <div>
          <Title order={1}>Users</Title>
          <Text c="dimmed" size="md" mt={4}>
            {users.data
              ? `${users.data.length} account${users.data.length === 1 ? '' : 's'}.`
              : 'Everyone with an account.'}{' '}
            A disabled account cannot sign in, and its API keys and sessions stop working.
          </Text>
        </div>
        {users.isPending ? (
          <Paper withBorder p="lg">
            <Skeleton height={14} width="40%" />
          </Paper>
        ) : users.isError ? (
          <Alert color="red" variant="light" icon={<CircleAlert size={18} />} title="Could not load users">
            {errorMessage(users.error)}
          </Alert>
        ) : (
          <ListTable
            label="Users"
            head={
              <>
                <Table.Th>Person</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Joined</Table.Th>
                <Table.Th w={140}>Can sign in</Table.Th>
              </>
            }
          >
            {users.data.map((user) => (
              <Table.Tr key={user.id} style={{ opacity: user.disabled ? 0.6 : 1 }}>
                <Table.Td>
                  <Group gap="sm" wrap="nowrap">
                    <Avatar size={32} radius="xl" color="brand" variant="light">
                      {initials(user)}
                    </Avatar>
                    <div>
                      <Text size="sm" fw={600}>
                        {user.name}
                        {user.id === me.id && (
                          <Text span size="xs" c="dimmed" fw={400}>
                            {' '}
                            (you)
                          </Text>
                        )}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {user.email}
                      </Text>
                    </div>
                  </Group>
                </Table.Td>
                <Table.Td>
                  {user.is_admin ? (
                    <Badge variant="light" radius="sm" tt="none">
                      Admin
                    </Badge>
                  ) : (
                    <Text size="sm" c="dimmed">
                      Member
                    </Text>
                  )}
                </Table.Td>
                <Table.Td title={formatDateTime(user.created_at)}>
                  {formatRelativeTime(user.created_at)}
                </Table.Td>
                <Table.Td>
                  <Switch
                    checked={!user.disabled}
                    disabled={
                      user.id === me.id || (setDisabled.isPending && setDisabled.variables?.id === user.id)
                    }
                    onChange={(event) => toggle(user, !event.currentTarget.checked)}
                    aria-label={`${user.email} can sign in`}
                    label={user.disabled ? 'Disabled' : 'Active'}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </ListTable>
        )}
      </Stack>
    </Container>
  );
}
