/** The frame of the sign-in and sign-up pages: the brand over one card. */
import { Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

import { Brand } from '../layout/Brand';
import classes from './auth.module.css';

interface Props {
  title: string;
  subtitle: string;
  children: ReactNode;
  footer?: ReactNode;
}

export function AuthCard({ title, subtitle, children, footer }: Props) {
  return (
    <main className={classes.page}>
      <Stack className={classes.card} gap="lg">
        <Stack align="center" gap="xs">
          <Brand />
        </Stack>
        <Paper withBorder shadow="sm" p="xl">
          <Stack gap={4} mb="lg">
            <Title order={1} size="h2">
              {title}
            </Title>
            <Text c="dimmed" size="md">
              {subtitle}
            </Text>
          </Stack>
          {children}
        </Paper>
        {footer && (
          <Text size="sm" c="dimmed" ta="center">
            {footer}
          </Text>
        )}
      </Stack>
    </main>
  );
}
