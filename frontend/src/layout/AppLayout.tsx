import { AppShell, Container, Group, Text, Tooltip } from '@mantine/core';
import { NavLink, Outlet } from 'react-router';

import { useSession } from '../auth/session';
import { UserMenu } from '../auth/UserMenu';
import { Brand } from './Brand';
import classes from './layout.module.css';

/** The shell for the list pages: a slim header over centred content. */
export function AppLayout() {
  const session = useSession();
  return (
    <AppShell header={{ height: 56 }} padding={0}>
      <AppShell.Header className={classes.header}>
        <Container size="xl" h="100%">
          <Group h="100%" justify="space-between" wrap="nowrap">
            <Group gap="lg" wrap="nowrap">
              <Brand />
              <nav aria-label="Main" className={classes.nav}>
                <NavLink to="/" end className={classes.navLink}>
                  Workflows
                </NavLink>
                <NavLink to="/credentials" className={classes.navLink}>
                  Credentials
                </NavLink>
              </nav>
            </Group>
            {session.user ? (
              <UserMenu user={session.user} />
            ) : (
              <Tooltip label="Single-person mode: no sign-in, everything is yours">
                <Text size="xs" c="dimmed">
                  Local workspace
                </Text>
              </Tooltip>
            )}
          </Group>
        </Container>
      </AppShell.Header>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
