import { Alert, Button, Group, Text } from '@mantine/core';
import { TriangleAlert } from 'lucide-react';

import type { ApiError } from '../../api/errors';
import classes from './editor.module.css';

interface Props {
  conflict: ApiError;
  loading: boolean;
  onLoadLatest: () => void;
}

/** Shown after a 409: someone saved a newer version; ours is kept locally, never forced. */
export function ConflictBanner({ conflict, loading, onLoadLatest }: Props) {
  const newer = conflict.currentVersion !== undefined ? ` (now version ${conflict.currentVersion})` : '';
  return (
    <Alert
      color="orange"
      variant="light"
      radius={0}
      icon={<TriangleAlert size={18} />}
      title="Changed elsewhere"
      className={classes.banner}
    >
      <Group justify="space-between" gap="md" wrap="nowrap">
        <Text size="sm">
          This workflow was saved from another tab or by someone else{newer}. Your changes were not saved.
          Load the latest version to continue; your unsaved changes will be discarded.
        </Text>
        <Button color="orange" size="xs" onClick={onLoadLatest} loading={loading}>
          Load latest
        </Button>
      </Group>
    </Alert>
  );
}
