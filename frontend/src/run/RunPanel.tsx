/** The workflow's runs in a side panel, newest first, a page at a time: pick one to show
 * its picture (any run, however old: "Load older runs"); cancel a live one; show only the
 * runs in one status (each keeps its number). */
import {
  ActionIcon,
  Badge,
  Button,
  Drawer,
  Loader,
  ScrollArea,
  Select,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { ListFilter, Square } from 'lucide-react';
import { useState } from 'react';

import { errorMessage } from '../api/errors';
import { formatDateTime, formatRelativeTime } from '../lib/format';
import { cancelRun, pagedRuns, runKeys, useWorkflowRuns } from './api';
import { useRunStore, useRunStoreApi } from './context';
import classes from './run.module.css';
import { formatDuration, RUN_STATUS } from './status';
import { selectRunId } from './store';
import { isFinished, type ListedRun, type RunStatus } from './types';

interface Props {
  workflowId: string;
  opened: boolean;
  onClose: () => void;
}

const STATUS_FILTER = [
  { value: 'all', label: 'All runs' },
  ...(Object.keys(RUN_STATUS) as RunStatus[]).map((status) => ({
    value: status,
    label: RUN_STATUS[status].label,
  })),
];

export function RunPanel({ workflowId, opened, onClose }: Props) {
  const [status, setStatus] = useState<RunStatus | null>(null);
  const runs = useWorkflowRuns(workflowId, status, opened);
  const shown = useRunStore(selectRunId);
  const store = useRunStoreApi();
  const queryClient = useQueryClient();
  const { runs: listed, total } = pagedRuns(runs.data?.pages ?? []);
  // "12 failed runs", "3 runs"
  const kind = status ? `${RUN_STATUS[status].label.toLowerCase()} runs` : 'runs';

  const cancel = async (run: ListedRun) => {
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
      <Select
        size="xs"
        mb="sm"
        aria-label="Show runs"
        data={STATUS_FILTER}
        value={status ?? 'all'}
        onChange={(value) => setStatus(value && value !== 'all' ? (value as RunStatus) : null)}
        allowDeselect={false}
        leftSection={<ListFilter size={14} />}
        comboboxProps={{ withinPortal: false }}
      />
      {runs.isPending ? (
        <Loader size="sm" />
      ) : runs.isError ? (
        <Text c="red" size="sm">
          {errorMessage(runs.error)}
        </Text>
      ) : listed.length === 0 ? (
        <Text c="dimmed" size="sm">
          {status ? `No ${kind}.` : 'No runs yet. Press Run to start one; every run is listed here.'}
        </Text>
      ) : (
        <Stack gap="sm">
          <Stack gap={4} role="list" aria-label="Runs of this workflow">
            {listed.map((run) => (
              <RunRow
                key={run.id}
                run={run}
                active={run.id === shown}
                onOpen={() => store.getState().show(run.id)}
                onCancel={() => void cancel(run)}
              />
            ))}
          </Stack>
          {runs.hasNextPage && (
            <Stack gap={4} align="center">
              <Text c="dimmed" size="xs">
                Showing the newest {listed.length} of {total} {kind}
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
  active,
  onOpen,
  onCancel,
}: {
  run: ListedRun;
  active: boolean;
  onOpen: () => void;
  onCancel: () => void;
}) {
  const { number } = run;
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
