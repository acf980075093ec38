/** Floating canvas toolbar: undo/redo, note, group, auto-layout, align, snap to grid. */
import { ActionIcon, Divider, Group, Menu, Paper, Tooltip } from '@mantine/core';
import {
  AlignCenterHorizontal,
  AlignCenterVertical,
  AlignEndHorizontal,
  AlignEndVertical,
  AlignHorizontalSpaceAround,
  AlignStartHorizontal,
  AlignStartVertical,
  AlignVerticalSpaceAround,
  Grid3x3,
  Group as GroupIcon,
  LayoutDashboard,
  Redo2,
  StickyNote,
  Undo2,
} from 'lucide-react';

import { useEditorStore, useEditorStoreApi } from './context';
import type { Alignment } from './layout';
import { selectCanRedo, selectCanUndo } from './store';
import { NOTE_TYPE } from './types';
import { useAddNode } from './useAddNode';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const MOD = isMac ? '⌘' : 'Ctrl';

const ALIGNMENTS: [Alignment, string, typeof AlignStartVertical][] = [
  ['left', 'Align left edges', AlignStartVertical],
  ['centre-x', 'Align centres horizontally', AlignCenterVertical],
  ['right', 'Align right edges', AlignEndVertical],
  ['top', 'Align top edges', AlignStartHorizontal],
  ['centre-y', 'Align centres vertically', AlignCenterHorizontal],
  ['bottom', 'Align bottom edges', AlignEndHorizontal],
  ['distribute-x', 'Distribute horizontally', AlignHorizontalSpaceAround],
  ['distribute-y', 'Distribute vertically', AlignVerticalSpaceAround],
];

interface Props {
  snapToGrid: boolean;
  onSnapToGrid: (value: boolean) => void;
}

export function CanvasToolbar({ snapToGrid, onSnapToGrid }: Props) {
  const store = useEditorStoreApi();
  const canUndo = useEditorStore(selectCanUndo);
  const canRedo = useEditorStore(selectCanRedo);
  const selectedCount = useEditorStore((state) =>
    state.nodes.reduce((count, node) => count + (node.selected ? 1 : 0), 0),
  );
  const addNode = useAddNode();
  const tip = (label: string, keys?: string) => (keys ? `${label} (${keys})` : label);
  return (
    <Paper shadow="sm" radius="md" p={4} withBorder>
      <Group gap={2} wrap="nowrap" role="toolbar" aria-label="Canvas tools">
        <Tooltip label={tip('Undo', `${MOD}+Z`)}>
          <ActionIcon aria-label="Undo" disabled={!canUndo} onClick={() => store.getState().undo()}>
            <Undo2 size={16} />
          </ActionIcon>
        </Tooltip>
        <Tooltip label={tip('Redo', `${MOD}+Shift+Z`)}>
          <ActionIcon aria-label="Redo" disabled={!canRedo} onClick={() => store.getState().redo()}>
            <Redo2 size={16} />
          </ActionIcon>
        </Tooltip>
        <Divider orientation="vertical" mx={2} />
        <Tooltip label="Add a sticky note">
          <ActionIcon aria-label="Add sticky note" onClick={() => addNode(NOTE_TYPE)}>
            <StickyNote size={16} />
          </ActionIcon>
        </Tooltip>
        <Tooltip label={tip('Group the selected nodes', `${MOD}+G`)}>
          <ActionIcon
            aria-label="Group selection"
            disabled={selectedCount < 1}
            onClick={() => store.getState().groupSelection()}
          >
            <GroupIcon size={16} />
          </ActionIcon>
        </Tooltip>
        <Tooltip label={tip('Auto-layout left to right', 'Shift+L')}>
          <ActionIcon aria-label="Auto-layout" onClick={() => store.getState().autoLayout()}>
            <LayoutDashboard size={16} />
          </ActionIcon>
        </Tooltip>
        <Menu position="bottom" withinPortal>
          <Menu.Target>
            <Tooltip label="Align the selected nodes">
              <ActionIcon aria-label="Align" disabled={selectedCount < 2}>
                <AlignStartVertical size={16} />
              </ActionIcon>
            </Tooltip>
          </Menu.Target>
          <Menu.Dropdown>
            {ALIGNMENTS.map(([how, label, Icon]) => (
              <Menu.Item
                key={how}
                leftSection={<Icon size={14} />}
                onClick={() => store.getState().alignSelection(how)}
              >
                {label}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
        <Tooltip label={snapToGrid ? 'Snap to grid: on' : 'Snap to grid: off'}>
          <ActionIcon
            aria-label="Snap to grid"
            aria-pressed={snapToGrid}
            variant={snapToGrid ? 'light' : 'subtle'}
            color={snapToGrid ? 'brand' : 'gray'}
            onClick={() => onSnapToGrid(!snapToGrid)}
          >
            <Grid3x3 size={16} />
          </ActionIcon>
        </Tooltip>
      </Group>
    </Paper>
  );
}
