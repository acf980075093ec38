/** "Add node": the catalogue grouped by category; a pick places the node in view. */
import { Button, Menu, ScrollArea, Text } from '@mantine/core';
import { Plus } from 'lucide-react';
import { useId } from 'react';

import { kindIcon } from './appearance';
import { CATEGORY_TITLES, nodeKindsByCategory } from './nodeKinds';

const GROUPS = nodeKindsByCategory();

export function AddNodeMenu({ onAdd }: { onAdd: (kind: string) => void }) {
  const idPrefix = useId();
  return (
    <Menu position="bottom-start" width={300} shadow="md" withinPortal>
      <Menu.Target>
        <Button leftSection={<Plus size={16} />} variant="default" size="sm">
          Add node
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <ScrollArea.Autosize mah="min(520px, 70vh)" type="auto">
          {GROUPS.map(([category, kinds]) => (
            <div key={category}>
              <Menu.Label>{CATEGORY_TITLES[category]}</Menu.Label>
              {kinds.map((kind) => {
                const Icon = kindIcon(kind.type, category);
                const descriptionId = `${idPrefix}-${kind.type}`;
                return (
                  <Menu.Item
                    key={kind.type}
                    aria-label={kind.title}
                    aria-describedby={descriptionId}
                    leftSection={<Icon size={16} />}
                    onClick={() => onAdd(kind.type)}
                  >
                    <Text size="sm" fw={500} lh={1.3}>
                      {kind.title}
                    </Text>
                    <Text size="xs" c="dimmed" lh={1.3} id={descriptionId}>
                      {kind.description}
                    </Text>
                  </Menu.Item>
                );
              })}
            </div>
          ))}
        </ScrollArea.Autosize>
      </Menu.Dropdown>
    </Menu>
  );
}
