/** The shared view's header: the workflow, who shared it, what the link allows, and actions. */
import { Badge, Button, Group, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Copy, LogIn } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';

import { errorMessage } from '../api/errors';
import { useSession } from '../auth/session';
import { Brand } from '../layout/Brand';
import editorClasses from '../pages/editor/editor.module.css';
import { ThemeToggle } from '../pages/editor/EditorHeader';
import { duplicateShared, type ShareScope } from './api';
import { SCOPES } from './scopes';
import classes from './share.module.css';

interface Props {
  token: string;
  name: string;
  ownerName: string;
  scope: ShareScope;
  /** Run controls, shown last. */
  actions?: ReactNode;
}

/** "Shared by …" and the scope, for both the read-only header and an edit link's editor. */
export function SharedBadges({ ownerName, scope }: { ownerName: string; scope: ShareScope }) {
  const look = SCOPES[scope];
  return (
    <Group gap="xs" wrap="nowrap">
      <Tooltip label={look.description} multiline maw={280}>
        <Badge
          color={look.color}
          variant="light"
          radius="sm"
          tt="none"
          leftSection={<look.icon size={12} />}
          flex="none"
        >
          {look.badge}
        </Badge>
      </Tooltip>
      {ownerName && (
        <Text size="sm" c="dimmed" truncate visibleFrom="md">
          Shared by {ownerName}
        </Text>
      )}
    </Group>
  );
}

export function DuplicateButton({ token }: { token: string }) {
  const session = useSession();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  if (session.anonymous) {
    return (
      <Button
        variant="default"
        leftSection={<LogIn size={16} />}
        component={Link}
        to={`/login?next=${encodeURIComponent(`/s/${token}`)}`}
      >
        Sign in to duplicate
      </Button>
    );
  }
  const duplicate = async () => {
    setBusy(true);
    try {
      const copy = await duplicateShared(token);
      notifications.show({ color: 'teal', message: `Duplicated as “${copy.name}” in your workspace` });
      navigate(`/workflows/${copy.id}`);
    } catch (error) {
      notifications.show({ color: 'red', title: 'Could not duplicate', message: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button
      variant="default"
      leftSection={<Copy size={16} />}
      loading={busy}
      onClick={() => void duplicate()}
    >
      Duplicate to my workspace
    </Button>
  );
}

export function SharedHeader({ token, name, ownerName, scope, actions }: Props) {
  return (
    <header className={editorClasses.header}>
      <Group gap="sm" wrap="nowrap" className={editorClasses.headerStart}>
        <Brand compact />
        <Group gap="sm" wrap="nowrap" className={`${editorClasses.breadcrumbs} ${classes.title}`}>
          <Text component="h1" className={editorClasses.workflowName} title={name}>
            {name}
          </Text>
          <SharedBadges ownerName={ownerName} scope={scope} />
        </Group>
      </Group>
      <Group gap="sm" wrap="nowrap">
        <ThemeToggle />
        <DuplicateButton token={token} />
        {actions}
      </Group>
    </header>
  );
}
