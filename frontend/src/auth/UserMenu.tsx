/** The signed-in person's menu in the header: who they are, API keys, admin, sign out. */
import { Avatar, Group, Menu, Text, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ChevronDown, KeyRound, LogOut, ShieldCheck, Users } from 'lucide-react';
import { Link, useNavigate } from 'react-router';

import { errorMessage } from '../api/errors';
import type { User } from './api';
import { useLogOut } from './session';

export const initials = (user: Pick<User, 'name' | 'email'>): string => {
  const words = (user.name.trim() || user.email).split(/[\s@._-]+/).filter(Boolean);
  return (words.length > 1 ? `${words[0]![0]}${words[1]![0]}` : (words[0] ?? '?').slice(0, 2)).toUpperCase();
};

export function UserMenu({ user }: { user: User }) {
  const logOut = useLogOut();
  const navigate = useNavigate();
  const signOut = () =>
    logOut.mutate(undefined, {
      onSuccess: () => navigate('/login', { replace: true }),
      onError: (error) =>
        notifications.show({ color: 'red', title: 'Could not sign out', message: errorMessage(error) }),
    });
  return (
    <Menu position="bottom-end" width={240} withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label={`Account menu for ${user.name || user.email}`}>
          <Group gap={8} wrap="nowrap">
            <Avatar size={30} radius="xl" color="brand" variant="light">
              {initials(user)}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="sm" maw={160} truncate>
              {user.name || user.email}
            </Text>
            <ChevronDown size={14} aria-hidden />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" fw={600} c="var(--mantine-color-text)" truncate>
            {user.name}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            {user.email}
          </Text>
        </Menu.Label>
        <Menu.Divider />
        <Menu.Item component={Link} to="/credentials" leftSection={<ShieldCheck size={15} />}>
          Credentials
        </Menu.Item>
        <Menu.Item component={Link} to="/settings/api-keys" leftSection={<KeyRound size={15} />}>
          API keys
        </Menu.Item>
        {user.is_admin && (
          <Menu.Item component={Link} to="/admin/users" leftSection={<Users size={15} />}>
            Users
          </Menu.Item>
        )}
        <Menu.Divider />
        <Menu.Item leftSection={<LogOut size={15} />} onClick={signOut} disabled={logOut.isPending}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
