/** One run in a list of runs: its status, name, when, version, duration and failure;
 * pressing it shows the run on the canvas. Optionally a Cancel button while it is live. */
import { ActionIcon, Badge, Loader, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { Square } from 'lucide-react';

import { formatDateTime, formatRelativeTime } from '../lib/format';
import classes from './run.module.css';
import { formatDuration, RUN_STATUS } from './status';
import { isFinished, type RunSummary } from './types';

interface Props {
  run: RunSummary;
  /** What the row is called, shown ("Run #3") and spoken ("Run 3"). */
  title: string;
  spokenTitle: string;
  active: boolean;
  onOpen: () => void;
  /** Offers Cancel while the run is live; no button without it. */
  onCancel?: () => void;
}

export function RunRow({ run, title, spokenTitle, active, onOpen, onCancel }: Props) {
  const look = RUN_STATUS[run.status];
  const live = !isFinished(run.status);
  const when = run.started_at ?? run.created_at;
  return (
    <div role="listitem" style={{ position: 'relative' }}>
      <UnstyledButton
        className={classes.runRow}
        data-active={active || undefined}
        onClick={onOpen}
        aria-label={`${spokenTitle}, ${look.label}, ${formatRelativeTime(when)}`}
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
          <div className={classes.runTitle}>{title}</div>
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
      {live && onCancel && (
        <Tooltip label="Cancel run">
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={`Cancel ${spokenTitle.toLowerCase()}`}
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
