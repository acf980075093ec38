/** Quick add: a search box over the catalogue (opened with `/` or a double-click on the canvas). */
import { Modal, Text, TextInput, UnstyledButton } from '@mantine/core';
import type { XYPosition } from '@xyflow/react';
import { Search } from 'lucide-react';
import { useMemo, useState } from 'react';

import { kindIcon } from './appearance';
import { searchCatalogue } from './catalogue';
import { useCatalogue } from './context';
import classes from './panels.module.css';
import { useAddNode } from './useAddNode';

interface Props {
  /** Where to put the node (flow coordinates); `null` for the view's centre. */
  at: XYPosition | null;
  opened: boolean;
  onClose: () => void;
}

export function QuickAdd({ at, opened, onClose }: Props) {
  return (
    <Modal opened={opened} onClose={onClose} title="Add a node" size="md" yOffset="12vh" centered={false}>
      {opened && <QuickAddBody at={at} onClose={onClose} />}
    </Modal>
  );
}

function QuickAddBody({ at, onClose }: { at: XYPosition | null; onClose: () => void }) {
  const catalogue = useCatalogue();
  const addNode = useAddNode();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const results = useMemo(() => searchCatalogue(catalogue, query).slice(0, 12), [catalogue, query]);
  const choose = (kind: string | undefined) => {
    if (!kind) return;
    addNode(kind, at ?? undefined);
    onClose();
  };
  return (
    <>
      <TextInput
        data-autofocus
        placeholder="Type to search: chat, split, router…"
        aria-label="Node type"
        leftSection={<Search size={16} />}
        value={query}
        onChange={(event) => {
          setQuery(event.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') setActive((index) => Math.min(index + 1, results.length - 1));
          else if (event.key === 'ArrowUp') setActive((index) => Math.max(index - 1, 0));
          else if (event.key === 'Enter') choose(results[active]?.type);
          else return;
          event.preventDefault();
        }}
        role="combobox"
        aria-expanded
        aria-controls="quick-add-results"
        aria-activedescendant={results[active] ? `quick-add-${active}` : undefined}
      />
      <div id="quick-add-results" role="listbox" aria-label="Node types" className={classes.quickList}>
        {results.map((spec, index) => {
          const Icon = kindIcon(spec.type, spec.category);
          return (
            <UnstyledButton
              key={spec.type}
              id={`quick-add-${index}`}
              role="option"
              aria-selected={index === active}
              aria-label={spec.title}
              className={classes.quickItem}
              data-active={index === active || undefined}
              onMouseEnter={() => setActive(index)}
              onClick={() => choose(spec.type)}
            >
              <Icon size={16} />
              <div>
                <Text size="sm" fw={500}>
                  {spec.title} <span className={classes.paletteType}>{spec.type}</span>
                </Text>
                <Text size="xs" c="dimmed" lineClamp={1}>
                  {spec.description}
                </Text>
              </div>
            </UnstyledButton>
          );
        })}
        {results.length === 0 && (
          <Text size="sm" c="dimmed" p="sm">
            Nothing matches.
          </Text>
        )}
      </div>
    </>
  );
}
