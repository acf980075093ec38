import { Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';

import { errorMessage } from '../../api/errors';
import type { Workflow } from '../../api/types';
import { useCreateWorkflow } from '../../api/workflows';

interface Props {
  opened: boolean;
  onClose: () => void;
  onCreated: (workflow: Workflow) => void;
}

export function CreateWorkflowModal({ opened, onClose, onCreated }: Props) {
  return (
    <Modal opened={opened} onClose={onClose} title="New workflow" size="md">
      {/* Mounted only while open so every opening starts with a blank form. */}
      {opened && <CreateForm onCancel={onClose} onCreated={onCreated} />}
    </Modal>
  );
}

function CreateForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: Props['onCreated'] }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useCreateWorkflow();
  const trimmed = name.trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!trimmed) return;
    create.mutate({ name: trimmed, description: description.trim() }, { onSuccess: onCreated });
  };

  return (
    <form onSubmit={submit}>
      <Stack gap="md">
        <TextInput
          label="Name"
          placeholder="Support answers"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          maxLength={200}
          required
          data-autofocus
          error={create.isError ? errorMessage(create.error) : undefined}
        />
        <Textarea
          label="Description"
          placeholder="What does this workflow do? (optional)"
          value={description}
          onChange={(event) => setDescription(event.currentTarget.value)}
          autosize
          minRows={3}
          maxRows={6}
        />
        <Group justify="flex-end" gap="sm" mt="xs">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={!trimmed}>
            Create
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
