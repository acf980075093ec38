import { Button, Paper, Text, Title } from '@mantine/core';
import { Plus, Workflow } from 'lucide-react';

import classes from './list.module.css';

/** First-run state: what Nodeloom is for and the one obvious next step. */
export function EmptyState({ onCreate }: { onCreate: () => void }) {
  return (
    <Paper withBorder className={classes.empty}>
      <div className={classes.emptyArt} aria-hidden>
        <Workflow size={40} strokeWidth={1.8} />
      </div>
      <Title order={3}>Build your first workflow</Title>
      <Text c="dimmed" size="md" mt="xs" maw={440}>
        Wire prompts, models and retrieval steps into a graph on the canvas. You can also import a workflow
        someone exported.
      </Text>
      <Button mt="lg" size="md" leftSection={<Plus size={18} />} onClick={onCreate}>
        Create your first workflow
      </Button>
    </Paper>
  );
}
