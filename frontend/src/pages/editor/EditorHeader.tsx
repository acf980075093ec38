import {
  ActionIcon,
  Anchor,
  Button,
  Group,
  Kbd,
  Text,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { ArrowLeft, ChevronRight, CloudOff, History, Keyboard, Moon, Save, Sun } from 'lucide-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

import { MOD } from '../../canvas/CanvasToolbar';
import { useEditorStore } from '../../canvas/context';
import { Brand } from '../../layout/Brand';
import classes from './editor.module.css';
import { ProblemsButton } from './ProblemsButton';
import { SAVE_STATUS_TEXT, type SaveStatus } from './useEditorSave';

interface Props {
  status: SaveStatus;
  onSave: () => void;
  /** Opens the version history; no button without it (a shared link's visitor). */
  onHistory?: () => void;
  onShortcuts: () => void;
  /** Run controls, shown before Save. */
  runActions?: ReactNode;
  /** Shown after the workflow's name (a shared link's scope and owner). */
  titleExtras?: ReactNode;
}

export function EditorHeader({ status, onSave, onHistory, onShortcuts, runActions, titleExtras }: Props) {
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
          {titleExtras}
        </Group>
      </Group>
      <Group gap="sm" wrap="nowrap" className={classes.headerEnd}>
        <SaveStatusIndicator status={status} />
        <ProblemsButton />
        {onHistory && (
          <Tooltip label="Version history">
            <ActionIcon aria-label="Version history" size="lg" onClick={onHistory}>
              <History size={18} />
            </ActionIcon>
          </Tooltip>
        )}
        <Tooltip label="Keyboard shortcuts (?)">
          <ActionIcon aria-label="Keyboard shortcuts" size="lg" onClick={onShortcuts}>
            <Keyboard size={18} />
          </ActionIcon>
        </Tooltip>
        <ThemeToggle />
        {runActions}
        <Tooltip
          label={
            <>
              Save now <Kbd size="xs">{MOD}</Kbd> <Kbd size="xs">S</Kbd>
            </>
          }
        >
          <Button
            leftSection={<Save size={16} />}
            onClick={onSave}
            loading={status === 'saving'}
            disabled={status === 'saved' || status === 'conflict'}
            variant={status === 'dirty' || status === 'error' ? 'filled' : 'default'}
          >
            Save
          </Button>
        </Tooltip>
      </Group>
    </header>
  );
}

export function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} theme`}>
      <ActionIcon aria-label={`Switch to ${next} theme`} size="lg" onClick={() => setColorScheme(next)}>
        {scheme === 'dark' ? <Sun size={18} /> : <Moon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

function SaveStatusIndicator({ status }: { status: SaveStatus }) {
  return (
    <div className={classes.status} data-status={status} role="status" aria-live="polite">
      {status === 'offline' ? (
        <CloudOff size={14} aria-hidden />
      ) : (
        <span className={classes.statusDot} aria-hidden />
      )}
      {SAVE_STATUS_TEXT[status]}
    </div>
  );
}
