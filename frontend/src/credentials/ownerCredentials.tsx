/**
 * Whose credentials a workflow runs with, when that is not the person editing it: an
 * edit link's visitor edits a workflow that runs on its owner's keys, and only the owner
 * chooses them (the server refuses anything else with `credential_not_shared`). Inside
 * `CredentialsOwnedBy`, credential fields show the owner's choice and cannot change it.
 */
import { TextInput } from '@mantine/core';
import { Lock } from 'lucide-react';
import { createContext, useContext, type ReactNode } from 'react';

import type { CredentialFieldProps } from '../schema-form/SchemaForm';

const OwnerContext = createContext<string | null>(null);

export function CredentialsOwnedBy({ owner, children }: { owner: string; children: ReactNode }) {
  return <OwnerContext.Provider value={owner}>{children}</OwnerContext.Provider>;
}

/** The owner's name when credentials are someone else's to choose; else `null`. */
export function useCredentialOwner(): string | null {
  return useContext(OwnerContext);
}

export function OwnersCredentialField({
  owner,
  label,
  value,
  error,
}: Pick<CredentialFieldProps, 'label' | 'value' | 'error'> & { owner: string }) {
  return (
    <TextInput
      label={label}
      value={value}
      placeholder="None chosen"
      readOnly
      error={error}
      leftSection={<Lock size={14} aria-hidden />}
      description={
        value
          ? `Runs use ${owner}’s credential “${value}”. Only ${owner} can change it.`
          : `Runs use ${owner}’s credentials. Only ${owner} can choose one.`
      }
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
    />
  );
}
