/**
 * The node palette: every type in the catalogue by category, with search over type id,
 * title and description. Drag an entry onto the canvas, or click it / press Enter to add
 * it at the centre of the view.
 */
import { CloseButton, ScrollArea, Text, TextInput } from '@mantine/core';
import { Search } from 'lucide-react';
import { memo, useMemo, useState, type DragEvent } from 'react';

import { categoryColor, kindIcon } from './appearance';
import { searchCatalogue, type NodeTypeSpec } from './catalogue';
import { useCatalogue } from './context';
import classes from './panels.module.css';
import { useAddNode } from './useAddNode';
import { NODE_TYPE_MIME } from './WorkflowCanvas';

function PaletteItem({ spec, onAdd }: { spec: NodeTypeSpec; onAdd: (kind: string) => void }) {
  const Icon = kindIcon(spec.type, spec.category);
  const onDragStart = (event: DragEvent) => {
    event.dataTransfer.setData(NODE_TYPE_MIME, spec.type);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <button
      type="button"
      className={classes.paletteItem}
      draggable
      onDragStart={onDragStart}
      onClick={() => onAdd(spec.type)}
      aria-label={spec.title}
      aria-description={`${spec.type}: ${spec.description}`}
      title={`${spec.description}\n\nDrag onto the canvas, or press Enter to add.`}
      style={
        { '--item-color': `var(--mantine-color-${categoryColor(spec.category)}-6)` } as React.CSSProperties
      }
    >
      <span className={classes.paletteIcon} aria-hidden>
        <Icon size={15} />
      </span>
      <span className={classes.paletteText}>
        <span className={classes.paletteTitle}>{spec.title}</span>
        <span className={classes.paletteType}>{spec.type}</span>
      </span>
    </button>
  );
}

function PaletteView() {
  const catalogue = useCatalogue();
  const addNode = useAddNode();
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    if (!query.trim()) return catalogue.categories;
    const hits = new Set(searchCatalogue(catalogue, query));
    return catalogue.categories
      .map(([category, specs]) => [category, specs.filter((spec) => hits.has(spec))] as const)
      .filter(([, specs]) => specs.length > 0);
  }, [catalogue, query]);

  return (
    <aside className={classes.palette} aria-label="Node palette">
      <div className={classes.paletteSearch}>
        <TextInput
          size="xs"
          placeholder="Search nodes"
          aria-label="Search nodes"
          leftSection={<Search size={14} />}
          rightSection={
            query ? <CloseButton size="xs" aria-label="Clear search" onClick={() => setQuery('')} /> : null
          }
          value={query}
          onChange={(event) => setQuery(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              const first = groups[0]?.[1][0];
              if (first) addNode(first.type);
            }
          }}
        />
      </div>
      <ScrollArea className={classes.paletteScroll} type="auto" offsetScrollbars>
        {groups.length === 0 && (
          <Text size="xs" c="dimmed" p="md">
            No node type matches “{query}”.
          </Text>
        )}
        {groups.map(([category, specs]) => (
          <section key={category} className={classes.paletteGroup} aria-label={category}>
            <h3 className={classes.paletteHeading}>{category}</h3>
            {specs.map((spec) => (
              <PaletteItem key={spec.type} spec={spec} onAdd={addNode} />
            ))}
          </section>
        ))}
      </ScrollArea>
    </aside>
  );
}

export const Palette = memo(PaletteView);
