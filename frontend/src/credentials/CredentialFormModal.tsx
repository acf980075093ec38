/** Add a credential (provider-specific fields), or rename one / replace its secret. */
import { Alert, Button, Group, Modal, PasswordInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { CircleAlert, Lock } from 'lucide-react';
import { useState, type FormEvent } from 'react';

import { errorMessage } from '../api/errors';
import { problemCode } from '../auth/api';
import { useCreateCredential, useUpdateCredential, type Credential, type CredentialChanges } from './api';
import { nameError, PROVIDERS, providerOf, type ProviderId } from './providers';

interface Props {
  opened: boolean;
  /** The credential to edit; null to add one. */
  editing: Credential | null;
  /**
   * Pre-selected provider and name when adding (e.g. from a node's picker); `secret`: a
   * value the editor holds (a key pasted into a node, moved into a credential).
   */
  suggested?: { provider?: ProviderId; name?: string; secret?: string };
  onClose: () => void;
  onSaved?: (credential: Credential) => void;
}

export function CredentialFormModal({ opened, editing, suggested, onClose, onSaved }: Props) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={editing ? `Edit ${editing.name}` : 'Add a credential'}
      size="md"
    >
      {/* Mounted only while open so every opening starts from a fresh form. */}
      {opened && (
        <CredentialForm
          editing={editing}
          suggested={suggested}
          onCancel={onClose}
          onSaved={(saved) => {
            onSaved?.(saved);
            onClose();
          }}
        />
      )}
    </Modal>
  );
}

function saveErrorText(error: unknown): string {
  if (problemCode(error) === 'credential_name_taken') return 'You already have a credential with this name.';
  return errorMessage(error);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function CredentialForm({
  editing,
  suggested,
  onCancel,
  onSaved,
}: {
  editing: Credential | null;
  suggested: Props['suggested'];
  onCancel: () => void;
  onSaved: (credential: Credential) => void;
}) {
  const initialProvider: ProviderId = editing?.provider ?? suggested?.provider ?? 'openai';
  const [provider, setProvider] = useState<ProviderId>(initialProvider);
  const [name, setName] = useState(
    editing?.name ?? suggested?.name ?? providerOf(initialProvider).defaultName,
  );
  const [nameTouched, setNameTouched] = useState(Boolean(editing || suggested?.name));
  const [secret, setSecret] = useState(suggested?.secret ?? '');
  const [baseUrl, setBaseUrl] = useState(editing?.base_url ?? '');
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateCredential();
  const update = useUpdateCredential();
  const saving = create.isPending || update.isPending;
  const failure = create.error ?? update.error;
  const spec = providerOf(provider);

  const errors = {
    name: nameError(name.trim()),
    secret: !editing && !secret ? `Paste the ${spec.secretLabel.toLowerCase()}.` : undefined,
    baseUrl:
      (spec.baseUrl === 'required' || (spec.baseUrl === 'optional' && baseUrl.trim())) &&
      !isHttpUrl(baseUrl.trim())
        ? 'An http(s) URL, e.g. http://localhost:11434/v1'
        : undefined,
  };
  const valid = !errors.name && !errors.secret && !errors.baseUrl;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!valid) return;
    if (editing) {
      const changes: CredentialChanges = {};
      if (name.trim() !== editing.name) changes.name = name.trim();
      if (secret) changes.secret = secret;
      if (spec.baseUrl !== 'none' && baseUrl.trim() && baseUrl.trim() !== (editing.base_url ?? ''))
        changes.base_url = baseUrl.trim();
      if (Object.keys(changes).length === 0) return onCancel();
      update.mutate({ id: editing.id, changes }, { onSuccess: onSaved });
    } else {
      create.mutate(
        {
          name: name.trim(),
          provider,
          secret,
          ...(spec.baseUrl !== 'none' && baseUrl.trim() ? { base_url: baseUrl.trim() } : {}),
        },
        { onSuccess: onSaved },
      );
    }
  };

  const show = (error: string | undefined) => (submitted ? error : undefined);

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {failure && (
          <Alert color="red" variant="light" icon={<CircleAlert size={18} />} p="sm">
            {saveErrorText(failure)}
          </Alert>
        )}
        <Select
          label="Provider"
          data={PROVIDERS.map((option) => ({ value: option.id, label: option.label }))}
          value={provider}
          onChange={(value) => {
            if (!value) return;
            const next = value as ProviderId;
            setProvider(next);
            if (!nameTouched) setName(providerOf(next).defaultName);
          }}
          allowDeselect={false}
          disabled={editing !== null}
          description={editing ? 'The provider of a credential cannot change.' : undefined}
          checkIconPosition="right"
        />
        <TextInput
          label="Name"
          description={
            <>
              Nodes refer to it as <code>{`{"$credential": "${name.trim() || 'name'}"}`}</code>.
            </>
          }
          value={name}
          onChange={(event) => {
            setName(event.currentTarget.value);
            setNameTouched(true);
          }}
          error={show(errors.name)}
          maxLength={64}
          required
          data-autofocus
          autoComplete="off"
        />
        {spec.baseUrl !== 'none' && (
          <TextInput
            label="Base URL"
            description={spec.baseUrlHint}
            placeholder={
              spec.baseUrl === 'required' ? 'http://localhost:11434/v1' : 'Empty: the provider’s own API'
            }
            value={baseUrl}
            onChange={(event) => setBaseUrl(event.currentTarget.value)}
            error={show(errors.baseUrl)}
            required={spec.baseUrl === 'required'}
            autoComplete="off"
          />
        )}
        <PasswordInput
          label={editing ? `New ${spec.secretLabel.toLowerCase()}` : spec.secretLabel}
          description={
            editing ? `Leave empty to keep the current one (ends in ${editing.last4}).` : spec.secretHint
          }
          placeholder={spec.secretPlaceholder}
          value={secret}
          onChange={(event) => setSecret(event.currentTarget.value)}
          error={show(errors.secret)}
          required={!editing}
          autoComplete="new-password"
          leftSection={<Lock size={14} />}
        />
        <Text size="xs" c="dimmed">
          Stored encrypted on the server and used only when a workflow runs. After saving, only its last four
          characters are shown.
        </Text>
        <Group justify="flex-end" gap="sm" mt="xs">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={saving}>
            {editing ? 'Save changes' : 'Add credential'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
