import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';

import { errorMessage } from '../../api/errors';
import type { WorkflowSummary } from '../../api/types';
import { useDeleteWorkflow } from '../../api/workflows';

interface Props {
  workflow: WorkflowSummary | null;
  onClose: () => void;
}

export function DeleteWorkflowModal({ workflow, onClose }: Props) {
  const remove = useDeleteWorkflow();

  const confirm = () => {
    if (!workflow) return;
    remove.mutate(workflow.id, {
      onSuccess: () => {
        notifications.show({ color: 'teal', message: `Deleted “${workflow.name}”` });
        onClose();
      },
      onError: (error) =>
        notifications.show({ color: 'red', title: 'Could not delete', message: errorMessage(error) }),
    });
  };

  return (
    <Modal opened={workflow !== null} onClose={onClose} title="Delete workflow?" size="md">
      <Stack gap="lg">
        <Text size="sm">
          <Text span fw={600}>
            {workflow?.name}
          </Text>{' '}
          and its version history will be deleted. This cannot be undone.
        </Text>
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" onClick={confirm} loading={remove.isPending} data-autofocus>
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
