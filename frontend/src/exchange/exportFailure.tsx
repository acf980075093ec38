/** Telling a person why an export failed; a refusal over secrets names every node. */
import { List, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';

import { ApiError, errorMessage } from '../api/errors';

const SECRETS_IN_DOCUMENT = '/secrets_in_document';

export const isSecretsRefusal = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.type.endsWith(SECRETS_IN_DOCUMENT);

export function showExportFailure(error: unknown): void {
  if (!isSecretsRefusal(error)) {
    notifications.show({ color: 'red', title: 'Could not export', message: errorMessage(error) });
    return;
  }
  notifications.show({
    color: 'red',
    title: 'Export refused: the workflow holds secrets',
    autoClose: false,
    message: (
      <Stack gap={4}>
        <Text size="sm">Move each into a credential and refer to it from the node, then export again.</Text>
        <List size="sm" aria-label="Nodes holding secrets">
          {error.errors.map((item, index) => (
            <List.Item key={`${item.pointer ?? ''}-${index}`}>{item.message}</List.Item>
          ))}
        </List>
      </Stack>
    ),
  });
}
