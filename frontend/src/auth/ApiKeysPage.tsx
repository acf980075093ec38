/** `/settings/api-keys`: personal keys for the REST API and the `nodeloom` CLI. */
import {
  Alert,
  Button,
  Container,
  Group,
  Modal,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { CircleAlert, KeyRound, Plus, Trash2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';

import { ListTable } from '../layout/ListTable';
import { errorMessage } from '../api/errors';
import { formatDateTime, formatRelativeTime } from '../lib/format';
import type { ApiKey, NewApiKey } from './api';
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from './apiKeys';
import { SecretOnce } from './SecretOnce';

export function ApiKeysPage() {
  const keys = useApiKeys();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  return (
    <Container size="xl" py="xl">
      <Stack gap="lg">
        <Group justify="space-between" align="flex-end">
          <div>
            <Title order={1}>API keys</Title>
            <Text c="dimmed" size="md" mt={4}>
              For scripts and the <code>nodeloom</code> CLI: send{' '}
              <code>Authorization: Bearer &lt;key&gt;</code> or set <code>NODELOOM_API_KEY</code>.
            </Text>
          </div>
          <Button leftSection={<Plus size={16} />} onClick={() => setCreating(true)}>
            New API key
          </Button>
        </Group>
        {keys.isPending ? (
          <Paper withBorder p="lg">
            <Skeleton height={14} width="50%" />
          </Paper>
        ) : keys.isError ? (
          <Alert color="red" variant="light" icon={<CircleAlert size={18} />} title="Could not load API keys">
            {errorMessage(keys.error)}
          </Alert>
        ) : keys.data.length === 0 ? (
          <Paper withBorder p="xl" ta="center">
            <KeyRound size={32} strokeWidth={1.6} aria-hidden />
            <Title order={4} mt="sm">
              No API keys yet
            </Title>
            <Text c="dimmed" size="sm" mt={4}>
              A key acts as you. It is shown once when you create it, and you can revoke it at any time.
            </Text>
          </Paper>
        ) : (
          <ListTable
            label="API keys"
            head={
              <>
                <Table.Th>Name</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th w={56} />
              </>
            }
          >
            {keys.data.map((key) => (
              <Table.Tr key={key.id}>
                <Table.Td fw={500}>{key.name}</Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace" c="dimmed">
                    {key.prefix}…
                  </Text>
                </Table.Td>
                <Table.Td title={formatDateTime(key.created_at)}>
                  {formatRelativeTime(key.created_at)}
                </Table.Td>
                <Table.Td>{key.last_used_at ? formatRelativeTime(key.last_used_at) : 'Never'}</Table.Td>
                <Table.Td>
                  <Button
                    variant="subtle"
                    color="red"
                    size="compact-sm"
                    leftSection={<Trash2 size={14} />}
                    onClick={() => setRevoking(key)}
                    aria-label={`Revoke ${key.name}`}
                  >
                    Revoke
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </ListTable>
        )}
      </Stack>
      <Modal opened={creating} onClose={() => setCreating(false)} title="New API key">
        {creating && <CreateKey onDone={() => setCreating(false)} />}
      </Modal>
      <RevokeKeyModal apiKey={revoking} onClose={() => setRevoking(null)} />
    </Container>
  );
}

function CreateKey({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const create = useCreateApiKey();
  if (created) {
    return (
      <Stack gap="md">
        <Alert color="yellow" variant="light" p="sm">
          Copy this key now. It will not be shown again.
        </Alert>
        <SecretOnce value={created.key} label="New API key" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Done
          </Button>
        </Group>
      </Stack>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim()) create.mutate(name.trim(), { onSuccess: setCreated });
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="md">
        <TextInput
          label="Name"
          description="What will use it, so you know which key to revoke later."
          placeholder="CI pipeline"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          maxLength={100}
          required
          data-autofocus
          error={create.isError ? errorMessage(create.error) : undefined}
        />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            Create key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function RevokeKeyModal({ apiKey, onClose }: { apiKey: ApiKey | null; onClose: () => void }) {
  const revoke = useRevokeApiKey();
  const confirm = () =>
    apiKey &&
    revoke.mutate(apiKey.id, {
      onSuccess: () => {
        notifications.show({ color: 'teal', message: `Revoked “${apiKey.name}”` });
        onClose();
      },
    });
  return (
    <Modal opened={apiKey !== null} onClose={onClose} title="Revoke API key?">
      <Stack gap="md">
        <Text size="sm">
          Anything using <b>{apiKey?.name}</b> stops working at once. This cannot be undone.
        </Text>
        {revoke.isError && (
          <Text size="sm" c="red">
            {errorMessage(revoke.error)}
          </Text>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" loading={revoke.isPending} onClick={confirm}>
            Revoke
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
