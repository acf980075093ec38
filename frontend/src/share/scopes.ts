/** How each share scope is named and explained. */
import { Eye, Pencil, Play, type LucideIcon } from 'lucide-react';

import type { ShareScope } from './api';

export interface ScopeLook {
  label: string;
  /** Badge text on the shared page. */
  badge: string;
  description: string;
  color: string;
  icon: LucideIcon;
}

export const SCOPES: Record<ShareScope, ScopeLook> = {
  view: {
    label: 'View',
    badge: 'View only',
    description: 'Anyone with the link sees the canvas. Nothing can be changed.',
    color: 'gray',
    icon: Eye,
  },
  run: {
    label: 'Run',
    badge: 'Can run',
    description:
      'Anyone with the link can also run it with their own inputs, on your credentials, up to the hourly limit. Each visitor sees only their own runs.',
    color: 'teal',
    icon: Play,
  },
  edit: {
    label: 'Edit',
    badge: 'Can edit',
    description: 'Signed-in people with the link can change it; each of their saves is a version by them.',
    color: 'orange',
    icon: Pencil,
  },
};

export const EXPIRY_OPTIONS = [
  { value: 'never', label: 'Never expires' },
  { value: '1h', label: 'Expires in 1 hour' },
  { value: '1d', label: 'Expires in 1 day' },
  { value: '7d', label: 'Expires in 7 days' },
  { value: '30d', label: 'Expires in 30 days' },
] as const;

export type ExpiryChoice = (typeof EXPIRY_OPTIONS)[number]['value'];

const HOUR_MS = 3600_000;
const EXPIRY_MS: Record<Exclude<ExpiryChoice, 'never'>, number> = {
  '1h': HOUR_MS,
  '1d': 24 * HOUR_MS,
  '7d': 7 * 24 * HOUR_MS,
  '30d': 30 * 24 * HOUR_MS,
};

/** The ISO expiry for a choice, from `now`; undefined for never. */
export function expiresAt(choice: ExpiryChoice, now: number = Date.now()): string | undefined {
  return choice === 'never' ? undefined : new Date(now + EXPIRY_MS[choice]).toISOString();
}

export type LinkState = 'active' | 'expired' | 'revoked';

export function linkState(
  link: { revoked_at: string | null; expires_at: string | null },
  now = Date.now(),
): LinkState {
  if (link.revoked_at) return 'revoked';
  if (link.expires_at && Date.parse(link.expires_at) <= now) return 'expired';
  return 'active';
}
