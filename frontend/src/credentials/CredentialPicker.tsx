/**
 * The inspector's control for a `{"$credential": NAME}` param: pick one of the person's
 * credentials (name, provider, last four), or add a new one without leaving the editor.
 * A name the document needs but the person lacks stays visible, flagged. In a workflow
 * someone else owns (an edit link), the owner's choice is shown and cannot be changed.
 */
import { ActionIcon, Anchor, Group, Select, Text, Tooltip } from '@mantine/core';
import { Plus, TriangleAlert } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';

import { useSession } from '../auth/session';
import type { CredentialFieldProps } from '../schema-form/SchemaForm';
import { useCredentials } from './api';
import { CredentialFormModal } from './CredentialFormModal';
import { OwnersCredentialField, useCredentialOwner } from './ownerCredentials';
import { providerOf } from './providers';

const MISSING_GROUP = 'Not in your credentials';

export function CredentialPicker(props: CredentialFieldProps) {
  const owner = useCredentialOwner();
  return owner ? <OwnersCredentialField owner={owner} {...props} /> : <OwnCredentialPicker {...props} />;
}

function OwnCredentialPicker({
  label,
  description,
  error,
  withAsterisk,
  value,
  knownNames,
  onChange,
}: CredentialFieldProps) {
  const credentials = useCredentials();
  const session = useSession();
  const [adding, setAdding] = useState(false);
  const own = credentials.data ?? [];
  const ownNames = new Set(own.map((credential) => credential.name));
  const missing = [...new Set([...knownNames, ...(value ? [value] : [])])].filter(
    (name) => !ownNames.has(name),
  );
  const data = [
    {
      group: 'Your credentials',
      items: own.map((credential) => ({
        value: credential.name,
        label: `${credential.name} · ${providerOf(credential.provider).label} ••••${credential.last4}`,
      })),
    },
    ...(missing.length
      ? [{ group: MISSING_GROUP, items: missing.map((name) => ({ value: name, label: name })) }]
      : []),
  ].filter((group) => group.items.length > 0);
  const isMissing = value !== '' && credentials.isSuccess && !ownNames.has(value);

  const hint = isMissing ? (
    <Group gap={4} wrap="nowrap" c="orange.8">
      <TriangleAlert size={12} aria-hidden />
      <span>
        No credential named “{value}”.{' '}
        {session.mode === 'single'
          ? 'Add it, or set it in the environment before running.'
          : 'Add it before running.'}
      </span>
    </Group>
  ) : (
    (description ?? 'Which of your credentials this node uses. The secret is never put in the workflow.')
  );

  return (
    <div>
      <Group gap={6} align="flex-end" wrap="nowrap">
        <Select
          style={{ flex: 1 }}
          label={label}
          description={hint}
          error={error}
          withAsterisk={withAsterisk}
          placeholder={
            credentials.isPending
              ? 'Loading credentials…'
              : own.length
                ? 'Pick a credential'
                : 'No credentials yet'
          }
          data={data}
          value={value || null}
          onChange={(next) => onChange(next ?? undefined)}
          searchable
          clearable={!withAsterisk}
          nothingFoundMessage="No credential by that name"
          checkIconPosition="right"
          comboboxProps={{ withinPortal: true }}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <Tooltip label="Add a credential">
          <ActionIcon
            variant="default"
            size={36}
            aria-label="Add a credential"
            onClick={() => setAdding(true)}
          >
            <Plus size={16} />
          </ActionIcon>
        </Tooltip>
      </Group>
      <Text size="xs" mt={4}>
        <Anchor component={Link} to="/credentials" size="xs" target="_blank">
          Manage credentials
        </Anchor>
      </Text>
      <CredentialFormModal
        opened={adding}
        editing={null}
        suggested={isMissing ? { name: value } : undefined}
        onClose={() => setAdding(false)}
        onSaved={(saved) => onChange(saved.name)}
      />
    </div>
  );
}
