/**
 * The import preview: the detected format, what will be created, what changed on the
 * way, the problems to fix (each message names its node) and a credential mapping; then Import.
 */
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { CircleAlert, FileJson, Info, KeyRound, TriangleAlert } from 'lucide-react';
import { useMemo, useState } from 'react';

import { errorMessage } from '../api/errors';
import { isAnnotation } from '../canvas/types';
import type { Workflow } from '../api/types';
import { importWorkflow } from '../api/workflows';
import { useCredentials, type Credential } from '../credentials/api';
import { FORMAT_NAMES, previewImport, type ImportPreview, type NeededCredential } from './api';
import classes from './exchange.module.css';

export interface PreviewedFile {
  fileName: string;
  source: unknown;
  preview: ImportPreview;
}

interface Props {
  file: PreviewedFile | null;
  onClose: () => void;
  onImported: (workflow: Workflow) => void;
}

export function ImportDialog({ file, onClose, onImported }: Props) {
  return (
    <Modal opened={file !== null} onClose={onClose} title="Import workflow" size="lg">
      {file && <ImportForm key={file.fileName} file={file} onClose={onClose} onImported={onImported} />}
    </Modal>
  );
}

function ImportForm({ file, onClose, onImported }: { file: PreviewedFile } & Omit<Props, 'file'>) {
  const { preview } = file;
  const credentials = useCredentials(preview.credentials_needed.length > 0);
  const owned = credentials.data ?? [];
  const [mapping, setMapping] = useState<Record<string, string>>(() => sameNames(preview, owned));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  // Credentials arrive after the first render: pick same-named ones once they do.
  const effective = useMemo(() => ({ ...sameNames(preview, owned), ...mapping }), [preview, owned, mapping]);

  const submit = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const chosen = Object.fromEntries(Object.entries(effective).filter(([, own]) => own));
      const mapped = await previewImport(file.source, chosen);
      onImported(await importWorkflow(mapped.document));
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <Summary file={file} />
      {preview.notes.length > 0 && <Notes notes={preview.notes} />}
      {preview.problems.length > 0 && <Problems preview={preview} />}
      {preview.credentials_needed.length > 0 && (
        <CredentialMapping
          needed={preview.credentials_needed}
          owned={owned}
          unavailable={credentials.isError}
          mapping={effective}
          onChange={(name, own) => setMapping((current) => ({ ...current, [name]: own ?? '' }))}
        />
      )}
      {failure && (
        <Alert color="red" variant="light" icon={<CircleAlert size={18} />} title="Import failed">
          <Text size="sm">{failure}</Text>
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button onClick={() => void submit()} loading={busy}>
          Import
        </Button>
      </Group>
    </Stack>
  );
}

function Summary({ file }: { file: PreviewedFile }) {
  const { document, source_format: format } = file.preview;
  const nodes = document.nodes ?? [];
  const notes = nodes.filter((node) => isAnnotation(node.type)).length;
  const steps = nodes.length - notes;
  const connections = (document.edges ?? []).length;
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="nowrap">
        <FileJson size={18} aria-hidden />
        <Text fw={600} truncate>
          {document.name}
        </Text>
        <Badge variant="light" aria-label="Detected format">
          {FORMAT_NAMES[format]}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed">
        From {file.fileName}. Creates a new workflow with {count(steps, 'step')}, {count(notes, 'note')} and{' '}
        {count(connections, 'connection')}.
      </Text>
    </Stack>
  );
}

function Notes({ notes }: { notes: string[] }) {
  return (
    <Stack gap={6}>
      <Group gap={6}>
        <Info size={16} aria-hidden />
        <Title order={5}>What changed on the way</Title>
      </Group>
      <ScrollArea.Autosize mah={180} type="auto">
        <ul className={classes.itemList} aria-label="Import notes">
          {notes.map((note) => (
            <li key={note} className={classes.item}>
              <Text size="sm">{note}</Text>
            </li>
          ))}
        </ul>
      </ScrollArea.Autosize>
    </Stack>
  );
}

function Problems({ preview }: { preview: ImportPreview }) {
  return (
    <Stack gap={6}>
      <Group gap={6}>
        <TriangleAlert size={16} aria-hidden />
        <Title order={5}>To fix after importing</Title>
      </Group>
      <ScrollArea.Autosize mah={180} type="auto">
        <ul className={classes.itemList} aria-label="Problems">
          {preview.problems.map((problem, index) => (
            <li key={`${problem.pointer}-${index}`} className={classes.item}>
              <Group gap={6} wrap="nowrap" align="baseline">
                <Badge size="xs" variant="light" color={problem.severity === 'error' ? 'red' : 'yellow'}>
                  {problem.severity}
                </Badge>
              </Group>
              <Text size="sm">{problem.message}</Text>
            </li>
          ))}
        </ul>
      </ScrollArea.Autosize>
    </Stack>
  );
}

interface MappingProps {
  needed: NeededCredential[];
  owned: Credential[];
  unavailable: boolean;
  mapping: Record<string, string>;
  onChange: (name: string, own: string | null) => void;
}

function CredentialMapping({ needed, owned, unavailable, mapping, onChange }: MappingProps) {
  const none = owned.length === 0;
  return (
    <Stack gap={6}>
      <Group gap={6}>
        <KeyRound size={16} aria-hidden />
        <Title order={5}>Credentials</Title>
      </Group>
      <Text size="sm" c="dimmed">
        {none
          ? `${unavailable ? 'Your credentials could not be loaded' : 'You have no saved credentials yet'}: the workflow keeps the names below until you add credentials with those names or map them later.`
          : 'Choose which of your credentials each step should use.'}
      </Text>
      <Table withTableBorder verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Needed</Table.Th>
            <Table.Th>Provider</Table.Th>
            <Table.Th>Use</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {needed.map((item) => (
            <Table.Tr key={item.name}>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {item.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{item.provider}</Text>
              </Table.Td>
              <Table.Td>
                <Select
                  aria-label={`Credential for ${item.name}`}
                  placeholder={none ? 'No saved credentials' : 'Keep the name'}
                  disabled={none}
                  clearable
                  data={options(owned, item.provider)}
                  value={mapping[item.name] || null}
                  onChange={(value) => onChange(item.name, value)}
                  comboboxProps={{ withinPortal: true }}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** The person's credentials, those for the needed provider first. */
function options(owned: Credential[], provider: string) {
  const matching = owned.filter((credential) => credential.provider === provider);
  const others = owned.filter((credential) => credential.provider !== provider);
  const option = (credential: Credential) => ({
    value: credential.name,
    label: `${credential.name} (${credential.provider}, …${credential.last4})`,
  });
  if (others.length === 0) return matching.map(option);
  return [
    { group: `${provider} credentials`, items: matching.map(option) },
    { group: 'Other credentials', items: others.map(option) },
  ].filter((group) => group.items.length > 0);
}

/** A needed credential the person already has under the same name is mapped to it. */
function sameNames(preview: ImportPreview, owned: Credential[]): Record<string, string> {
  const names = new Set(owned.map((credential) => credential.name));
  return Object.fromEntries(
    preview.credentials_needed.filter((item) => names.has(item.name)).map((item) => [item.name, item.name]),
  );
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
