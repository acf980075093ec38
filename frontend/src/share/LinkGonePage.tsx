/** What a dead share link (unknown, revoked or expired) shows. */
import { Button, Center, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { Link2Off } from 'lucide-react';
import { Link } from 'react-router';

import { Brand } from '../layout/Brand';

export function LinkGonePage() {
  return (
    <Center mih="100vh" p="md" bg="light-dark(var(--mantine-color-gray-0), var(--mantine-color-dark-8))">
      <Stack align="center" gap="lg" maw={460}>
        <Brand />
        <Paper withBorder shadow="sm" p="xl" w="100%">
          <Stack align="center" gap="xs" ta="center">
            <ThemeIcon size={56} radius="xl" variant="light" color="gray">
              <Link2Off size={28} />
            </ThemeIcon>
            <Title order={1} size="h2" mt="xs">
              This link no longer works
            </Title>
            <Text c="dimmed" size="md">
              Its owner may have revoked it, or it has expired. Ask the person who shared it for a new link.
            </Text>
            <Button mt="md" variant="default" component={Link} to="/">
              Go to Nodeloom
            </Button>
          </Stack>
        </Paper>
      </Stack>
    </Center>
  );
}
