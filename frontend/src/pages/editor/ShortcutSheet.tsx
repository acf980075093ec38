/** The keyboard shortcut sheet (`?`). */
import { Group, Kbd, Modal, SimpleGrid, Text } from '@mantine/core';

import { MOD } from '../../canvas/CanvasToolbar';

const SHORTCUTS: [string, string[][]][] = [
  ['Add a node (search)', [['/']]],
  ['Undo', [[MOD, 'Z']]],
  [
    'Redo',
    [
      [MOD, 'Shift', 'Z'],
      [MOD, 'Y'],
    ],
  ],
  [
    'Copy / cut / paste',
    [
      [MOD, 'C'],
      [MOD, 'X'],
      [MOD, 'V'],
    ],
  ],
  ['Duplicate', [[MOD, 'D']]],
  ['Group selection', [[MOD, 'G']]],
  ['Select all', [[MOD, 'A']]],
  ['Add to selection', [['Shift', 'click']]],
  ['Box select', [['Shift', 'drag']]],
  ['Delete selection', [['Delete'], ['Backspace']]],
  ['Move selected node', [['←'], ['→'], ['↑'], ['↓']]],
  ['Select a node', [['Tab'], ['Enter']]],
  ['Auto-layout', [['Shift', 'L']]],
  ['Save now', [[MOD, 'S']]],
  ['This sheet', [['?']]],
];

export function ShortcutSheet({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" size="lg">
      <SimpleGrid cols={2} spacing="xs" verticalSpacing={8}>
        {SHORTCUTS.map(([label, combos]) => (
          <Group key={label} justify="space-between" wrap="nowrap" gap="xs">
            <Text size="sm">{label}</Text>
            <Group gap={6} wrap="nowrap">
              {combos.map((keys, index) => (
                <Group key={index} gap={2} wrap="nowrap">
                  {keys.map((key) => (
                    <Kbd key={key} size="xs">
                      {key}
                    </Kbd>
                  ))}
                </Group>
              ))}
            </Group>
          </Group>
        ))}
      </SimpleGrid>
    </Modal>
  );
}
