/**
 * The run on show, floating over the canvas: its status, time, progress through its
 * nodes, the failure reason, and Cancel / Runs / Close.
 */
import { ActionIcon, Button, Loader, Progress, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { List, Square, X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { errorMessage } from '../api/errors';
import { cancelRun } from './api';
import { useRunStore, useRunStoreApi } from './context';
import type { RunPicture } from './picture';
import classes from './run.module.css';
import { formatDuration, RUN_STATUS } from './status';
import { isFinished } from './types';

const FINISHED_NODE = new Set(['succeeded', 'failed', 'skipped', 'cached', 'interrupted']);

/** How many of the run's nodes have finished, of how many. */
const selectProgress = (state: { picture: RunPicture | null }) => {
  const nodes = Object.values(state.picture?.nodes ?? {});
  return [nodes.filter((node) => FINISHED_NODE.has(node.status)).length, nodes.length] as const;
};

interface Props {
  /** Opens the list of runs; no button without it. */
  onOpenRuns?: () => void;
  /** Offer Cancel while the run is going (not to a shared link's visitor). */
  cancellable?: boolean;
}

export function RunBar({ onOpenRuns, cancellable = true }: Props) {
  const store = useRunStoreApi();
  const picture = useRunStore(
    useShallow((state) =>
      state.picture
        ? {
            runId: state.picture.runId,
            status: state.picture.status,
            queuedAt: state.picture.queuedAt,
            startedAt: state.picture.startedAt,
            durationMs: state.picture.durationMs,
            error: state.picture.error,
          }
        : null,
    ),
  );
  const [done, total] = useRunStore(useShallow(selectProgress));
  const connection = useRunStore((state) => state.connection);
  const [cancelling, setCancelling] = useState(false);
  if (!picture) return null;
  const look = RUN_STATUS[picture.status];
  const active = !isFinished(picture.status);

  const cancel = async () => {
    setCancelling(true);
    try {
      await cancelRun(picture.runId);
    } catch (error) {
      notifications.show({ color: 'red', title: 'Could not cancel the run', message: errorMessage(error) });
    } finally {
      setCancelling(false);
    }
  };

  return (
    <div className={classes.bar} role="region" aria-label="Current run">
      <span className={classes.barStatus} style={{ color: `var(--mantine-color-${look.color}-7)` }}>
        {active ? (
          <Loader size={12} color={look.color} />
        ) : (
          <span
            className={classes.barDot}
            style={{ '--dot': `var(--mantine-color-${look.color}-6)` } as never}
          />
        )}
        <span data-testid="run-status">{look.label}</span>
      </span>
      <span className={classes.barMeta}>
        {active ? (
          <Elapsed since={picture.startedAt ?? picture.queuedAt} />
        ) : (
          <span>{formatDuration(picture.durationMs)}</span>
        )}
        {total > 0 && (
          <Tooltip label={`${done} of ${total} nodes finished`}>
            <span style={{ display: 'inline-flex', alignItems: 'center', gap: 6 }}>
              <Progress
                className={classes.progress}
                value={(done / total) * 100}
                size="sm"
                color={look.color}
                aria-label="Nodes finished"
              />
              {done}/{total}
            </span>
          </Tooltip>
        )}
        {connection === 'reconnecting' && <span>Reconnecting…</span>}
      </span>
      {picture.error && (
        <span className={classes.barError} title={picture.error.message}>
          {picture.error.message}
        </span>
      )}
      {active && cancellable && (
        <Button
          size="compact-sm"
          variant="light"
          color="red"
          leftSection={<Square size={11} fill="currentColor" />}
          loading={cancelling}
          onClick={() => void cancel()}
        >
          Cancel run
        </Button>
      )}
      {onOpenRuns && (
        <Tooltip label="All runs">
          <ActionIcon variant="subtle" color="gray" radius="xl" aria-label="All runs" onClick={onOpenRuns}>
            <List size={16} />
          </ActionIcon>
        </Tooltip>
      )}
      <Tooltip label="Hide run status">
        <ActionIcon
          variant="subtle"
          color="gray"
          radius="xl"
          aria-label="Hide run status"
          onClick={() => store.getState().clear()}
        >
          <X size={16} />
        </ActionIcon>
      </Tooltip>
    </div>
  );
}

function Elapsed({ since }: { since: string | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 100);
    return () => window.clearInterval(timer);
  }, []);
  if (!since) return <span>Waiting…</span>;
  return <span>{formatDuration(Math.max(0, now - Date.parse(since)))}</span>;
}
