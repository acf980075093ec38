import { Group, Text, ThemeIcon } from '@mantine/core';
import { Workflow } from 'lucide-react';
import { Link } from 'react-router';

import classes from './layout.module.css';

/** The product mark; links home. */
export function Brand({ compact = false }: { compact?: boolean }) {
  return (
    <Link to="/" className={classes.brand} aria-label="Nodeloom home">
      <Group gap={8} wrap="nowrap">
        <ThemeIcon
          size={compact ? 26 : 30}
          radius="md"
          variant="gradient"
          gradient={{ from: 'brand.5', to: 'grape.5', deg: 135 }}
        >
          <Workflow size={compact ? 15 : 17} strokeWidth={2.4} />
        </ThemeIcon>
        {!compact && (
          <Text fw={700} size="lg" className={classes.brandName}>
            Nodeloom
          </Text>
        )}
      </Group>
    </Link>
  );
}
