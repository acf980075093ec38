import { AppShell, Container, Group, Text } from '@mantine/core';
import { Outlet } from 'react-router';

import { Brand } from './Brand';
import classes from './layout.module.css';

/** The shell for the list pages: a slim header over centred content. */
export function AppLayout() {
  return (
    <AppShell header={{ height: 56 }} padding={0}>
      <AppShell.Header className={classes.header}>
        <Container size="xl" h="100%">
          <Group h="100%" justify="space-between">
            <Brand />
            <Text size="xs" c="dimmed">
              Local workspace
            </Text>
          </Group>
        </Container>
      </AppShell.Header>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
