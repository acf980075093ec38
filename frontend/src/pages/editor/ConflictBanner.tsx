import { Alert, Button, Group, Text } from '@mantine/core';
import { TriangleAlert } from 'lucide-react';

import type { ApiError } from '../../api/errors';
import classes from './editor.module.css';

interface Props {
  conflict: ApiError;
  busy: boolean;
  onLoadLatest: () => void;
  onKeepMine: () => void;
}

/** Shown after a 409: someone saved a newer version; ours is kept locally, never forced. */
export function ConflictBanner({ conflict, busy, onLoadLatest, onKeepMine }: Props) {
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
          This workflow was saved from another tab or by someone else{newer}. Your changes are not saved yet
          and are kept on this device. Load the latest version (discarding your changes), or keep yours as a
          new version on top of it — the other version stays in the history.
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Button variant="default" size="xs" onClick={onLoadLatest} disabled={busy}>
            Load latest
          </Button>
          <Button color="orange" size="xs" onClick={onKeepMine} loading={busy}>
            Keep mine as new version
          </Button>
        </Group>
      </Group>
    </Alert>
  );
}
