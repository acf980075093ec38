/** The workflow's runs in a side panel, newest first, a page at a time: pick one to show
 * its picture (any run, however old: "Load older runs"); cancel a live one; show only the
 * runs in one status (each keeps its number). */
import { Button, Drawer, Loader, ScrollArea, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { ListFilter } from 'lucide-react';
import { useState } from 'react';

import { errorMessage } from '../api/errors';
import { cancelRun, pagedRuns, runKeys, useWorkflowRuns } from './api';
import { useRunStore, useRunStoreApi } from './context';
import { RunRow } from './RunRow';
import { RUN_STATUS } from './status';
import { selectRunId } from './store';
import type { ListedRun, RunStatus } from './types';

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
                title={`Run #${run.number}`}
                spokenTitle={`Run ${run.number}`}
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
