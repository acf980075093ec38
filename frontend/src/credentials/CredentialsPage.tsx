/** `/credentials`: the person's provider keys — add, check, rename or replace, delete. */
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Container,
  Group,
  Menu,
  Modal,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  CircleAlert,
  CircleCheck,
  CircleX,
  EllipsisVertical,
  KeyRound,
  Pencil,
  Plus,
  ShieldCheck,
  Trash2,
} from 'lucide-react';
import { useState } from 'react';

import { ListTable } from '../layout/ListTable';
import { errorMessage } from '../api/errors';
import { formatDateTime, formatRelativeTime } from '../lib/format';
import {
  useCheckCredential,
  useCredentials,
  useDeleteCredential,
  type CheckResult,
  type Credential,
} from './api';
import { CredentialFormModal } from './CredentialFormModal';
import classes from './credentials.module.css';
import listClasses from '../pages/workflow-list/list.module.css';
import { providerOf } from './providers';

export function CredentialsPage() {
  const credentials = useCredentials();
  const [form, setForm] = useState<{ editing: Credential | null } | null>(null);
  const [deleting, setDeleting] = useState<Credential | null>(null);

  return (
    <Container size="xl" py="xl">
      <Stack gap="lg">
        <Group justify="space-between" align="flex-end">
          <div>
            <Title order={1}>Credentials</Title>
            <Text c="dimmed" size="md" mt={4}>
              Provider keys your workflows use by name. Encrypted on the server, never shown again, never
              exported.
            </Text>
          </div>
          <Button leftSection={<Plus size={16} />} onClick={() => setForm({ editing: null })}>
            Add credential
          </Button>
        </Group>
        {credentials.isPending ? (
          <Paper withBorder p="lg" aria-busy="true" aria-label="Loading credentials">
            <Stack gap="md">
              {[0, 1, 2].map((row) => (
                <Skeleton key={row} height={14} width={`${60 - row * 10}%`} radius="sm" />
              ))}
            </Stack>
          </Paper>
        ) : credentials.isError ? (
          <Alert
            color="red"
            variant="light"
            icon={<CircleAlert size={18} />}
            title="Could not load credentials"
          >
            <Text size="sm">{errorMessage(credentials.error)}</Text>
            <Button mt="sm" size="xs" variant="default" onClick={() => void credentials.refetch()}>
              Try again
            </Button>
          </Alert>
        ) : credentials.data.length === 0 ? (
          <Paper withBorder className={listClasses.empty}>
            <div className={listClasses.emptyArt}>
              <ShieldCheck size={36} strokeWidth={1.6} aria-hidden />
            </div>
            <Title order={3}>No credentials yet</Title>
            <Text c="dimmed" size="md" mt={6} maw={460}>
              Add an OpenAI, Anthropic or Pinecone key, an OpenAI-compatible server or a PostgreSQL URL. Nodes
              pick it by name; the secret stays here.
            </Text>
            <Button mt="lg" leftSection={<Plus size={16} />} onClick={() => setForm({ editing: null })}>
              Add your first credential
            </Button>
          </Paper>
        ) : (
          <ListTable
            label="Credentials"
            head={
              <>
                <Table.Th>Name</Table.Th>
                <Table.Th>Provider</Table.Th>
                <Table.Th>Secret</Table.Th>
                <Table.Th>Updated</Table.Th>
                <Table.Th className={classes.checkColumn}>Check</Table.Th>
                <Table.Th className={listClasses.actionsColumn} />
              </>
            }
          >
            {credentials.data.map((credential) => (
              <CredentialRow
                key={credential.id}
                credential={credential}
                onEdit={() => setForm({ editing: credential })}
                onDelete={() => setDeleting(credential)}
              />
            ))}
          </ListTable>
        )}
        {credentials.data && credentials.data.length > 0 && (
          <Text size="sm" c="dimmed">
            In a node, pick a credential by name in the inspector. Exports and share links carry only that
            name; whoever imports the workflow maps it to a credential of their own.
          </Text>
        )}
      </Stack>
      <CredentialFormModal
        opened={form !== null}
        editing={form?.editing ?? null}
        onClose={() => setForm(null)}
        onSaved={(saved) =>
          notifications.show({
            color: 'teal',
            message: form?.editing ? `Saved “${saved.name}”` : `Added “${saved.name}”`,
          })
        }
      />
      <DeleteCredentialModal credential={deleting} onClose={() => setDeleting(null)} />
    </Container>
  );
}

function CredentialRow({
  credential,
  onEdit,
  onDelete,
}: {
  credential: Credential;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const provider = providerOf(credential.provider);
  const check = useCheckCredential();
  const [result, setResult] = useState<CheckResult | null>(null);
  const runCheck = () =>
    check.mutate(credential.id, {
      onSuccess: setResult,
      onError: (error) => setResult({ ok: false, detail: errorMessage(error) }),
    });
  return (
    <Table.Tr>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <KeyRound size={15} className={classes.keyIcon} aria-hidden />
          <Text fw={600} ff="monospace" size="sm">
            {credential.name}
          </Text>
        </Group>
        {credential.base_url && (
          <Text size="xs" c="dimmed" mt={2} truncate maw={320} title={credential.base_url}>
            {credential.base_url}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={provider.color} radius="sm" tt="none">
          {provider.label}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace" c="dimmed" aria-label={`Ends in ${credential.last4}`}>
          ••••{credential.last4}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" title={formatDateTime(credential.updated_at)}>
          {formatRelativeTime(credential.updated_at)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button variant="default" size="compact-sm" loading={check.isPending} onClick={runCheck}>
            Check
          </Button>
          {result && !check.isPending && <CheckBadge result={result} />}
        </Group>
      </Table.Td>
      <Table.Td className={listClasses.actionsColumn}>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <ActionIcon aria-label={`Actions for ${credential.name}`}>
              <EllipsisVertical size={16} />
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item leftSection={<Pencil size={14} />} onClick={onEdit}>
              Rename or replace secret
            </Menu.Item>
            <Menu.Divider />
            <Menu.Item color="red" leftSection={<Trash2 size={14} />} onClick={onDelete}>
              Delete
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Table.Td>
    </Table.Tr>
  );
}

function CheckBadge({ result }: { result: CheckResult }) {
  return (
    <Tooltip
      label={result.detail || (result.ok ? 'The provider accepted it.' : 'The provider refused it.')}
      multiline
      maw={320}
    >
      <Badge
        variant="light"
        color={result.ok ? 'teal' : 'red'}
        radius="sm"
        tt="none"
        leftSection={result.ok ? <CircleCheck size={12} /> : <CircleX size={12} />}
        data-testid="check-result"
      >
        {result.ok ? 'Works' : 'Failed'}
      </Badge>
    </Tooltip>
  );
}

function DeleteCredentialModal({
  credential,
  onClose,
}: {
  credential: Credential | null;
  onClose: () => void;
}) {
  const remove = useDeleteCredential();
  const confirm = () =>
    credential &&
    remove.mutate(credential.id, {
      onSuccess: () => {
        notifications.show({ color: 'teal', message: `Deleted “${credential.name}”` });
        onClose();
      },
    });
  return (
    <Modal opened={credential !== null} onClose={onClose} title="Delete credential?">
      <Stack gap="md">
        <Text size="sm">
          Workflows that use <b>{credential?.name}</b> will fail to run until you add a credential with that
          name again. The secret is erased.
        </Text>
        {remove.isError && (
          <Text size="sm" c="red">
            {errorMessage(remove.error)}
          </Text>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" loading={remove.isPending} onClick={confirm}>
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
