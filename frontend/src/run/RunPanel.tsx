/** The workflow's runs in a side panel, newest first, a page at a time: pick one to show
 * its picture (any run, however old: "Load older runs"); cancel a live one. */
import {
  ActionIcon,
  Badge,
  Button,
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
import { cancelRun, numberedRuns, runKeys, useWorkflowRuns } from './api';
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
  const { runs: listed, total } = numberedRuns(runs.data?.pages ?? []);

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
      ) : listed.length === 0 ? (
        <Text c="dimmed" size="sm">
          No runs yet. Press Run to start one; every run is listed here.
        </Text>
      ) : (
        <Stack gap="sm">
          <Stack gap={4} role="list" aria-label="Runs of this workflow">
            {listed.map(({ run, number }) => (
              <RunRow
                key={run.id}
                run={run}
                number={number}
                active={run.id === shown}
                onOpen={() => store.getState().show(run.id)}
                onCancel={() => void cancel(run)}
              />
            ))}
          </Stack>
          {runs.hasNextPage && (
            <Stack gap={4} align="center">
              <Text c="dimmed" size="xs">
                Showing the newest {listed.length} of {total} runs
              </Text>
              <Button
                variant="light"
                size="xs"
                loading={runs.isFetchingNextPage}
                onClick={() => void runs.fetchNextPage()}
              >
                Load older runs
              </Button>
            </Stack>
          )}
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
        <div className={classes.runText}>
          <div className={classes.runTitle}>Run #{number}</div>
          <div className={classes.runMeta} title={formatDateTime(when)}>
            {formatRelativeTime(when)} · v{run.workflow_version}
            {run.duration_ms !== null && ` · ${formatDuration(run.duration_ms)}`}
          </div>
          {run.status === 'failed' && run.error && (
            <Text c="red" size="xs" lineClamp={2} className={classes.runError} title={run.error.message}>
              {run.error.message}
            </Text>
          )}
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
