import { ActionIcon, Anchor, Button, Group, Kbd, Text, Tooltip } from '@mantine/core';
import { ArrowLeft, ChevronRight, Save } from 'lucide-react';
import { Link } from 'react-router';

import { Brand } from '../../layout/Brand';
import { useEditorStore } from '../../canvas/context';
import classes from './editor.module.css';
import { SAVE_STATUS_TEXT, type SaveStatus } from './useEditorSave';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

interface Props {
  status: SaveStatus;
  onSave: () => void;
}

export function EditorHeader({ status, onSave }: Props) {
  const name = useEditorStore((state) => state.meta.name);
  return (
    <header className={classes.header}>
      <Group gap="sm" wrap="nowrap" className={classes.headerStart}>
        <Tooltip label="Back to workflows">
          <ActionIcon component={Link} to="/" aria-label="Back to workflows" size="lg">
            <ArrowLeft size={18} />
          </ActionIcon>
        </Tooltip>
        <Brand compact />
        <Group gap={6} wrap="nowrap" className={classes.breadcrumbs}>
          <Anchor component={Link} to="/" size="sm" c="dimmed">
            Workflows
          </Anchor>
          <ChevronRight size={14} className={classes.crumbSeparator} aria-hidden />
          <Text component="h1" className={classes.workflowName} title={name}>
            {name}
          </Text>
        </Group>
      </Group>
      <Group gap="md" wrap="nowrap">
        <SaveStatusIndicator status={status} />
        <Tooltip
          label={
            <>
              Save <Kbd size="xs">{isMac ? '⌘' : 'Ctrl'}</Kbd> <Kbd size="xs">S</Kbd>
            </>
          }
        >
          <Button
            leftSection={<Save size={16} />}
            onClick={onSave}
            loading={status === 'saving'}
            disabled={status === 'saved' || status === 'conflict'}
          >
            Save
          </Button>
        </Tooltip>
      </Group>
    </header>
  );
}

function SaveStatusIndicator({ status }: { status: SaveStatus }) {
  return (
    <div className={classes.status} data-status={status} role="status" aria-live="polite">
      <span className={classes.statusDot} aria-hidden />
      {SAVE_STATUS_TEXT[status]}
    </div>
  );
}
