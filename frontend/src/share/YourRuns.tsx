/**
 * "Your runs" on a shared page: the runs this visitor started through the link (no one
 * else sees them), and the owner's latest run when the link shows it. Pressing one shows
 * it on the canvas, live; when the page opens, the newest is shown.
 */
import { Badge, Button, Divider, Loader, Popover, Stack, Text } from '@mantine/core';
import { History } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';

import { errorMessage } from '../api/errors';
import { useRunStore, useRunStoreApi } from '../run/context';
import { RunRow } from '../run/RunRow';
import { selectRunId } from '../run/store';
import { useSharedRuns, type SharedRuns } from './api';
import { hasLiveRun, runToShow } from './sharedRuns';

interface Props {
  token: string;
  ownerName: string;
  /** Whether the link lets the visitor run the workflow (run and edit links). */
  canRun: boolean;
}

export function YourRuns({ token, ownerName, canRun }: Props) {
  const runs = useSharedRuns(token);
  const [opened, setOpened] = useState(false);
  useShowNewestOnce(runs.data);
  const data = runs.data;
  if (!canRun && !data?.owner_latest) return null; // a view link with nothing to show

  const label = canRun ? 'Your runs' : 'Latest run';
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="bottom-end"
      width={360}
      shadow="lg"
      trapFocus
      returnFocus
    >
      <Popover.Target>
        <Button
          variant="default"
          leftSection={data && hasLiveRun(data) ? <Loader size={14} /> : <History size={16} />}
          rightSection={
            canRun && data ? (
              <Badge size="sm" variant="light" color="gray" circle aria-hidden>
                {data.yours.length}
              </Badge>
            ) : undefined
          }
          onClick={() => setOpened((open) => !open)}
          aria-expanded={opened}
        >
          {label}
        </Button>
      </Popover.Target>
      <Popover.Dropdown aria-label={label} role="dialog">
        {runs.isPending ? (
          <Loader size="sm" />
        ) : runs.isError ? (
          <Text c="red" size="sm">
            {errorMessage(runs.error)}
          </Text>
        ) : (
          <RunLists
            runs={runs.data}
            ownerName={ownerName}
            canRun={canRun}
            onOpened={() => setOpened(false)}
          />
        )}
      </Popover.Dropdown>
    </Popover>
  );
}

function RunLists({
  runs,
  ownerName,
  canRun,
  onOpened,
}: {
  runs: SharedRuns;
  ownerName: string;
  canRun: boolean;
  onOpened: () => void;
}) {
  const store = useRunStoreApi();
  const shown = useRunStore(selectRunId);
  const open = (runId: string) => {
    store.getState().show(runId);
    onOpened();
  };
  return (
    <Stack gap="xs">
      {canRun && (
        <>
          <div>
            <Text size="sm" fw={600}>
              Your runs
            </Text>
            <Text size="xs" c="dimmed">
              Only you see the runs you start here, in this browser.
            </Text>
          </div>
          {runs.yours.length === 0 ? (
            <Text size="sm" c="dimmed">
              No runs yet. Press Run to start one.
            </Text>
          ) : (
            <Stack gap={4} role="list" aria-label="Your runs">
              {runs.yours.map((run) => (
                <RunRow
                  key={run.id}
                  run={run}
                  title={`Your run #${run.number}`}
                  spokenTitle={`Your run ${run.number}`}
                  active={run.id === shown}
                  onOpen={() => open(run.id)}
                />
              ))}
            </Stack>
          )}
        </>
      )}
      {runs.owner_latest && (
        <>
          {canRun && <Divider />}
          <Text size="sm" fw={600}>
            Latest run by {ownerName}
          </Text>
          <Stack gap={4} role="list" aria-label={`Latest run by ${ownerName}`}>
            <RunRow
              run={runs.owner_latest}
              title={`${ownerName}’s latest run`}
              spokenTitle={`${ownerName}’s latest run`}
              active={runs.owner_latest.id === shown}
              onOpen={() => open(runs.owner_latest!.id)}
            />
          </Stack>
        </>
      )}
    </Stack>
  );
}

/** When the runs first arrive, show the newest, unless a run is already on show (the
 * address named one, `?run=`, or the visitor started one meanwhile). */
function useShowNewestOnce(runs: SharedRuns | undefined) {
  const store = useRunStoreApi();
  const done = useRef(false);
  useEffect(() => {
    if (done.current || !runs) return;
    done.current = true;
    const newest = runToShow(runs);
    if (newest && store.getState().picture === null) store.getState().show(newest);
  }, [runs, store]);
}
