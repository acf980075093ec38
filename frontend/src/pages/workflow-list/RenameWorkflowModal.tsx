import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';

import { errorMessage } from '../../api/errors';
import type { WorkflowSummary } from '../../api/types';
import { useRenameWorkflow } from '../../api/workflows';

interface Props {
  workflow: WorkflowSummary | null;
  onClose: () => void;
}

export function RenameWorkflowModal({ workflow, onClose }: Props) {
  return (
    <Modal opened={workflow !== null} onClose={onClose} title="Rename workflow" size="md">
      {workflow && <RenameForm key={workflow.id} workflow={workflow} onDone={onClose} />}
    </Modal>
  );
}

function RenameForm({ workflow, onDone }: { workflow: WorkflowSummary; onDone: () => void }) {
  const [name, setName] = useState(workflow.name);
  const rename = useRenameWorkflow();
  const trimmed = name.trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!trimmed || trimmed === workflow.name) return onDone();
    rename.mutate(
      { id: workflow.id, name: trimmed },
      {
        onSuccess: (renamed) => {
          notifications.show({ color: 'teal', message: `Renamed to “${renamed.name}”` });
          onDone();
        },
      },
    );
  };

  return (
    <form onSubmit={submit}>
      <Stack gap="md">
        <TextInput
          label="Name"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          maxLength={200}
          required
          data-autofocus
          error={rename.isError ? errorMessage(rename.error) : undefined}
        />
        <Group justify="flex-end" gap="sm" mt="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={rename.isPending} disabled={!trimmed}>
            Rename
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
