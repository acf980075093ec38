/** How node categories and port types look: icons and theme colour names. */
import {
  Boxes,
  Database,
  FileText,
  GitBranch,
  Group,
  LogIn,
  LogOut,
  MessageSquareText,
  Sparkles,
  StickyNote,
  type LucideIcon,
} from 'lucide-react';
import type { CSSProperties } from 'react';

const CATEGORY_STYLE: Record<string, { icon: LucideIcon; color: string }> = {
  'input / output': { icon: LogIn, color: 'teal' },
  prompts: { icon: MessageSquareText, color: 'grape' },
  models: { icon: Sparkles, color: 'indigo' },
  data: { icon: FileText, color: 'orange' },
  'vector stores': { icon: Database, color: 'cyan' },
  logic: { icon: GitBranch, color: 'pink' },
  notes: { icon: StickyNote, color: 'yellow' },
};

const SPARE_COLORS = ['violet', 'lime', 'blue', 'red', 'green'];

/** Kinds that read better with their own icon than their category's. */
const KIND_ICONS: Record<string, LucideIcon> = { 'io.output': LogOut, 'ui.group': Group };

export function categoryColor(category: string | undefined): string {
  if (!category) return 'gray';
  const known = CATEGORY_STYLE[category.toLowerCase()];
  if (known) return known.color;
  let hash = 0;
  for (const char of category) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return SPARE_COLORS[Math.abs(hash) % SPARE_COLORS.length] ?? 'gray';
}

export function kindIcon(type: string, category: string | undefined): LucideIcon {
  return KIND_ICONS[type] ?? (category ? CATEGORY_STYLE[category.toLowerCase()]?.icon : undefined) ?? Boxes;
}

/** Port type → theme colour (handles, badges). */
export const PORT_COLORS: Record<string, string> = {
  text: 'blue',
  messages: 'violet',
  documents: 'orange',
  embeddings: 'lime',
  retriever: 'cyan',
  json: 'yellow',
  any: 'gray',
};

/**
 * Colours a person can give a node, stored in the document as `ui.color` (#rrggbb). The
 * values are Mantine's shade 6 of each named colour, fixed here so that a saved colour
 * keeps matching its swatch.
 */
export const NODE_COLORS: readonly { name: string; hex: string }[] = [
  { name: 'red', hex: '#fa5252' },
  { name: 'orange', hex: '#fd7e14' },
  { name: 'yellow', hex: '#fab005' },
  { name: 'green', hex: '#40c057' },
  { name: 'teal', hex: '#12b886' },
  { name: 'blue', hex: '#228be6' },
  { name: 'indigo', hex: '#4c6ef5' },
  { name: 'grape', hex: '#be4bdb' },
  { name: 'pink', hex: '#e64980' },
  { name: 'gray', hex: '#868e96' },
];

export const isHexColor = (value: unknown): value is string =>
  typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value);

/** CSS variables for a node's accent: the person's colour if any, else its category's. */
export function nodeColorVars(color: string | undefined, category: string | undefined): CSSProperties {
  if (isHexColor(color)) {
    return {
      '--node-color': color,
      '--node-soft': `color-mix(in srgb, ${color} 16%, transparent)`,
    } as CSSProperties;
  }
  const name = categoryColor(category);
  return {
    '--node-color': `var(--mantine-color-${name}-6)`,
    '--node-soft': `var(--mantine-color-${name}-light)`,
  } as CSSProperties;
}
