/** How each node category looks: an icon and a theme colour (node cards: canvas.module.css). */
import {
  Boxes,
  Database,
  FileText,
  GitBranch,
  LogIn,
  LogOut,
  MessageSquareText,
  Sparkles,
  type LucideIcon,
} from 'lucide-react';

import type { NodeCategory } from './nodeKinds';

export const CATEGORY_ICONS: Record<NodeCategory, LucideIcon> = {
  io: LogIn,
  prompt: MessageSquareText,
  model: Sparkles,
  data: FileText,
  vector: Database,
  logic: GitBranch,
};

export const UNKNOWN_KIND_ICON = Boxes;

/** Kinds that read better with their own icon than their category's. */
const KIND_ICONS: Record<string, LucideIcon> = {
  'io.output': LogOut,
};

export function kindIcon(type: string, category: NodeCategory | undefined): LucideIcon {
  return KIND_ICONS[type] ?? (category ? CATEGORY_ICONS[category] : UNKNOWN_KIND_ICON);
}

/** Theme colour names, used where CSS cannot reach (the minimap's SVG fill). */
export const CATEGORY_COLORS: Record<NodeCategory, string> = {
  io: 'teal',
  prompt: 'grape',
  model: 'indigo',
  data: 'orange',
  vector: 'cyan',
  logic: 'pink',
};
