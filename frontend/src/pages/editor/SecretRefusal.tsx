/**
 * Shown when a save was refused because a param holds a secret: each one by node and
 * param, with "Store as credential" — it opens the credential form filled in (name,
 * guessed provider, the value the editor holds; all editable), and once the credential
 * exists puts a reference where the value was (or cuts it out of the text) and saves.
 */
import { Alert, Anchor, Button, Code, Group, List, Stack, Text } from '@mantine/core';
import { KeyRound, ShieldAlert } from 'lucide-react';
import { useState } from 'react';

import { useEditorStore, useEditorStoreApi } from '../../canvas/context';
import { moveIntoCredential, suggestCredentialName, type SecretToMove } from '../../canvas/secretMoves';
import { useCredentials, type Credential } from '../../credentials/api';
import { CredentialFormModal } from '../../credentials/CredentialFormModal';
import classes from './editor.module.css';

interface Props {
  secrets: readonly SecretToMove[];
  /** Whether this person may keep it in a credential (the owner; not an edit link's visitor). */
  canStore: boolean;
  /** After a secret left the document (a reference in its place): save again. */
  onMoved: () => void;
}

export function SecretRefusal({ secrets, canStore, onMoved }: Props) {
  const store = useEditorStoreApi();
  const workflowName = useEditorStore((state) => state.meta.name);
  const credentials = useCredentials(canStore);
  const [moving, setMoving] = useState<SecretToMove | null>(null);
  const provider = moving?.suggestedProvider ?? 'openai';
  const taken = new Set((credentials.data ?? []).map((credential) => credential.name));

  const apply = (credential: Credential) => {
    if (!moving) return;
    // The same value elsewhere in the workflow goes to the same credential.
    for (const secret of secrets.filter((candidate) => candidate.value === moving.value)) {
      const { nodes, catalogue, updateNodeData } = store.getState();
      const node = nodes.find((candidate) => candidate.id === secret.nodeId);
      if (!node) continue;
      const schema = catalogue.byType.get(node.data.kind)?.paramsSchema;
      const params = moveIntoCredential(
        node.data.params,
        schema,
        secret,
        credential.name,
        credential.provider,
      );
      updateNodeData(node.id, { params });
    }
    onMoved();
  };

  return (
    <Alert
      color="red"
      variant="light"
      radius={0}
      icon={<ShieldAlert size={18} />}
      title="Not saved: a secret sits in the workflow"
      className={classes.secretBanner}
    >
      <Stack gap={6}>
        <Text size="sm">
          Keys belong in credentials: stored encrypted and never copied into the workflow or its history.{' '}
          {canStore
            ? 'Store each as a credential; the node then refers to it and the workflow saves.'
            : 'Only the owner can keep it in a credential; remove it from the node to save.'}
        </Text>
        <List size="sm" spacing={4} aria-label="Secrets in node params" listStyleType="none">
          {secrets.map((secret) => (
            <List.Item key={`${secret.nodeId}${secret.param}${secret.start}`}>
              <Group gap="xs" wrap="nowrap" justify="space-between">
                <div>
                  <Text size="sm">
                    <Anchor
                      component="button"
                      type="button"
                      fw={600}
                      onClick={() => store.getState().selectOnly(secret.nodeId)}
                    >
                      {secret.nodeTitle || secret.nodeId}
                    </Anchor>{' '}
                    · <Code>{secret.param.slice(1) || 'params'}</Code>
                  </Text>
                  <Text size="xs" c="dimmed">
                    {secret.message}
                  </Text>
                </div>
                {canStore && (
                  <Button
                    size="xs"
                    color="red"
                    variant="light"
                    leftSection={<KeyRound size={14} />}
                    onClick={() => setMoving(secret)}
                    aria-label={`Store as credential: ${secret.nodeTitle || secret.nodeId} ${secret.param.slice(1)}`}
                  >
                    Store as credential
                  </Button>
                )}
              </Group>
            </List.Item>
          ))}
        </List>
      </Stack>
      <CredentialFormModal
        opened={moving !== null}
        editing={null}
        suggested={
          moving
            ? { provider, name: suggestCredentialName(provider, workflowName, taken), secret: moving.value }
            : undefined
        }
        onClose={() => setMoving(null)}
        onSaved={apply}
      />
    </Alert>
  );
}
