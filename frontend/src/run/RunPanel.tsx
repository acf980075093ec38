/** The workflow's runs in a side panel: pick one to show its picture; cancel a live one. */
import {
  ActionIcon,
  Badge,
  Drawer,
  Loader,
  ScrollArea,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { Square } from 'lucide-react';

import { errorMessage } from '../api/errors';
import { formatDateTime, formatRelativeTime } from '../lib/format';
import { cancelRun, runKeys, useWorkflowRuns } from './api';
import { useRunStore, useRunStoreApi } from './context';
import classes from './run.module.css';
import { formatDuration, RUN_STATUS } from './status';
import { selectRunId } from './store';
import { isFinished, type RunSummary } from './types';

interface Props {
  workflowId: string;
  opened: boolean;
  onClose: () => void;
}

export function RunPanel({ workflowId, opened, onClose }: Props) {
  const runs = useWorkflowRuns(workflowId, opened);
  const shown = useRunStore(selectRunId);
  const store = useRunStoreApi();
  const queryClient = useQueryClient();
  const total = runs.data?.total ?? 0;

  const cancel = async (run: RunSummary) => {
    try {
      await cancelRun(run.id);
      void queryClient.invalidateQueries({ queryKey: runKeys.list(workflowId) });
    } catch (error) {
      notifications.show({ color: 'red', title: 'Could not cancel the run', message: errorMessage(error) });
    }
  };

  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size={360}
      title={<Text fw={600}>Runs</Text>}
      withOverlay={false}
      trapFocus={false}
      lockScroll={false}
      shadow="xl"
      scrollAreaComponent={ScrollArea.Autosize}
    >
      {runs.isPending ? (
        <Loader size="sm" />
      ) : runs.isError ? (
        <Text c="red" size="sm">
          {errorMessage(runs.error)}
        </Text>
      ) : runs.data.items.length === 0 ? (
        <Text c="dimmed" size="sm">
          No runs yet. Press Run to start one; every run is listed here.
        </Text>
      ) : (
        <Stack gap={4} role="list" aria-label="Runs of this workflow">
          {runs.data.items.map((run, index) => (
            <RunRow
              key={run.id}
              run={run}
              number={total - index}
              active={run.id === shown}
              onOpen={() => store.getState().show(run.id)}
              onCancel={() => void cancel(run)}
            />
          ))}
        </Stack>
      )}
    </Drawer>
  );
}

function RunRow({
  run,
  number,
  active,
  onOpen,
  onCancel,
}: {
  run: RunSummary;
  number: number;
  active: boolean;
  onOpen: () => void;
  onCancel: () => void;
}) {
  const look = RUN_STATUS[run.status];
  const live = !isFinished(run.status);
  const when = run.started_at ?? run.created_at;
  return (
    <div role="listitem" style={{ position: 'relative' }}>
      <UnstyledButton
        className={classes.runRow}
        data-active={active || undefined}
        onClick={onOpen}
        aria-label={`Run ${number}, ${look.label}, ${formatRelativeTime(when)}`}
        aria-current={active || undefined}
      >
        <Badge
          color={look.color}
          variant={run.status === 'failed' ? 'filled' : 'light'}
          radius="sm"
          w={92}
          leftSection={live ? <Loader size={9} color={look.color} /> : undefined}
        >
          {look.label}
        </Badge>
        <div>
          <div className={classes.runTitle}>Run #{number}</div>
          <div className={classes.runMeta} title={formatDateTime(when)}>
            {formatRelativeTime(when)} · v{run.workflow_version}
            {run.duration_ms !== null && ` · ${formatDuration(run.duration_ms)}`}
          </div>
        </div>
        <span style={{ width: 28 }} />
      </UnstyledButton>
      {live && (
        <Tooltip label="Cancel run">
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={`Cancel run ${number}`}
            onClick={onCancel}
            style={{ position: 'absolute', right: 10, top: '50%', transform: 'translateY(-50%)' }}
          >
            <Square size={12} fill="currentColor" />
          </ActionIcon>
        </Tooltip>
      )}
    </div>
  );
}
