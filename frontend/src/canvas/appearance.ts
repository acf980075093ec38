/** How node categories and port types look: icons and theme colour names. */
import {
  Boxes,
  Database,
  FileText,
  GitBranch,
  LogIn,
  LogOut,
  MessageSquareText,
  Sparkles,
  StickyNote,
  type LucideIcon,
} from 'lucide-react';

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
const KIND_ICONS: Record<string, LucideIcon> = { 'io.output': LogOut };

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

/** Colours a person can give a node. */
export const NODE_COLORS = [
  'red',
  'orange',
  'yellow',
  'green',
  'teal',
  'blue',
  'indigo',
  'grape',
  'pink',
  'gray',
];
