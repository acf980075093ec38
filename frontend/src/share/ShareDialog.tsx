/**
 * The editor's Share dialog: create a link (scope, expiry, run limit, whether visitors see
 * the owner's latest run), see the new link once with a copy button, and list, copy,
 * change or revoke the workflow's links.
 */
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  CopyButton,
  Divider,
  Group,
  Loader,
  Modal,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Check, Copy, Link2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';

import { errorMessage } from '../api/errors';
import { SecretOnce } from '../auth/SecretOnce';
import { formatDateTime, formatRelativeTime } from '../lib/format';
import {
  shareUrl,
  useCreateShareLink,
  useRevokeShareLink,
  useShareLinks,
  type NewShareLink,
  type ShareLink,
  type ShareScope,
} from './api';
import { OWNER_RUN_HELP, OwnerRunSwitch } from './OwnerRunSwitch';
import { RevokeLinkButton } from './RevokeLinkButton';
import { EXPIRY_OPTIONS, expiresAt, linkState, SCOPES, type ExpiryChoice } from './scopes';
import classes from './share.module.css';

interface Props {
  workflowId: string;
  workflowName: string;
  opened: boolean;
  onClose: () => void;
}

export const DEFAULT_RUN_LIMIT = 20;

export function ShareDialog({ workflowId, workflowName, opened, onClose }: Props) {
  // Full URLs of links made while this editor is open: the server never shows a token again.
  const [urls, setUrls] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<NewShareLink | null>(null);
  return (
    <Modal
      opened={opened}
      onClose={() => {
        setCreated(null);
        onClose();
      }}
      title={`Share “${workflowName}”`}
      size={620}
    >
      <Stack gap="lg">
        {created ? (
          <NewLink link={created} onAnother={() => setCreated(null)} />
        ) : (
          <CreateLinkForm
            workflowId={workflowId}
            onCreated={(link) => {
              setUrls((current) => ({ ...current, [link.id]: shareUrl(link.url) }));
              setCreated(link);
            }}
          />
        )}
        <Divider />
        <LinkList workflowId={workflowId} enabled={opened} urls={urls} />
      </Stack>
    </Modal>
  );
}

function CreateLinkForm({
  workflowId,
  onCreated,
}: {
  workflowId: string;
  onCreated: (link: NewShareLink) => void;
}) {
  const [scope, setScope] = useState<ShareScope>('view');
  const [expiry, setExpiry] = useState<ExpiryChoice>('never');
  const [limit, setLimit] = useState<number | ''>(DEFAULT_RUN_LIMIT);
  const [showOwnerRun, setShowOwnerRun] = useState(false);
  const create = useCreateShareLink(workflowId);
  const runs = scope !== 'view';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      {
        scope,
        expires_at: expiresAt(expiry),
        ...(runs && limit !== '' ? { run_limit_per_hour: limit } : {}),
        show_owner_latest_run: showOwnerRun,
      },
      { onSuccess: onCreated },
    );
  };

  return (
    <form onSubmit={submit} aria-label="Create a share link">
      <Stack gap="md">
        <div>
          <Text size="sm" fw={600} mb={6} id="share-scope-label">
            People with the link can
          </Text>
          <SegmentedControl
            fullWidth
            aria-labelledby="share-scope-label"
            value={scope}
            onChange={(value) => setScope(value as ShareScope)}
            data={(Object.keys(SCOPES) as ShareScope[]).map((value) => {
              const { label, icon: Icon } = SCOPES[value];
              return {
                value,
                label: (
                  <Group gap={6} justify="center" wrap="nowrap">
                    <Icon size={14} />
                    <span>{label}</span>
                  </Group>
                ),
              };
            })}
          />
          <Text size="xs" c="dimmed" mt={6} mih={34}>
            {SCOPES[scope].description}
          </Text>
        </div>
        <Group grow align="flex-start">
          <Select
            label="Expiry"
            data={EXPIRY_OPTIONS.map((option) => ({ ...option }))}
            value={expiry}
            onChange={(value) => value && setExpiry(value as ExpiryChoice)}
            allowDeselect={false}
            checkIconPosition="right"
          />
          <NumberInput
            label="Runs per hour"
            description={runs ? undefined : 'View links cannot run.'}
            placeholder="No limit"
            min={1}
            max={10_000}
            allowDecimal={false}
            value={runs ? limit : ''}
            onChange={(value) => setLimit(typeof value === 'number' ? value : '')}
            disabled={!runs}
          />
        </Group>
        <Switch
          label="Show my latest run to visitors"
          aria-label="Show my latest run to visitors" // its name without the description
          description={OWNER_RUN_HELP}
          checked={showOwnerRun}
          onChange={(event) => setShowOwnerRun(event.currentTarget.checked)}
        />
        {create.isError && (
          <Text size="sm" c="red">
            {errorMessage(create.error)}
          </Text>
        )}
        <Group justify="flex-end">
          <Button type="submit" leftSection={<Link2 size={16} />} loading={create.isPending}>
            Create {SCOPES[scope].label.toLowerCase()} link
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function NewLink({ link, onAnother }: { link: NewShareLink; onAnother: () => void }) {
  const look = SCOPES[link.scope];
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Badge color={look.color} variant="light" radius="sm" tt="none" leftSection={<look.icon size={12} />}>
          {look.label} link
        </Badge>
        <Text size="sm" fw={600}>
          Link created
        </Text>
      </Group>
      <SecretOnce value={shareUrl(link.url)} label="Share link" />
      <Text size="xs" c="dimmed">
        Copy it now: for safety only a fingerprint of the link is stored, so it cannot be shown again once
        this window closes. Revoke it below at any time.
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onAnother}>
          Create another link
        </Button>
      </Group>
    </Stack>
  );
}

function LinkList({
  workflowId,
  enabled,
  urls,
}: {
  workflowId: string;
  enabled: boolean;
  urls: Record<string, string>;
}) {
  const links = useShareLinks(workflowId, enabled);
  const revoke = useRevokeShareLink(workflowId);
  const onRevoke = (link: ShareLink) =>
    revoke.mutate(link.id, {
      onSuccess: () =>
        notifications.show({
          color: 'teal',
          message: `Revoked the ${SCOPES[link.scope].label.toLowerCase()} link`,
        }),
      onError: (error) =>
        notifications.show({ color: 'red', title: 'Could not revoke', message: errorMessage(error) }),
    });

  const items = [...(links.data ?? [])].sort((a, b) => {
    const rank = (link: ShareLink) => (linkState(link) === 'active' ? 0 : 1);
    return rank(a) - rank(b) || b.created_at.localeCompare(a.created_at);
  });

  return (
    <Stack gap="xs">
      <Text size="sm" fw={600}>
        Links to this workflow
      </Text>
      {links.isPending ? (
        <Loader size="sm" />
      ) : links.isError ? (
        <Alert color="red" variant="light" p="sm">
          {errorMessage(links.error)}
        </Alert>
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed">
          No links yet. Only you can open this workflow.
        </Text>
      ) : (
        <Stack gap={6} role="list" aria-label="Share links">
          {items.map((link) => (
            <LinkRow
              key={link.id}
              workflowId={workflowId}
              link={link}
              url={urls[link.id]}
              revoking={revoke.isPending && revoke.variables === link.id}
              onRevoke={() => onRevoke(link)}
            />
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function LinkRow({
  workflowId,
  link,
  url,
  revoking,
  onRevoke,
}: {
  workflowId: string;
  link: ShareLink;
  url: string | undefined;
  revoking: boolean;
  onRevoke: () => void;
}) {
  const look = SCOPES[link.scope];
  const state = linkState(link);
  const details = [
    `created ${formatRelativeTime(link.created_at)}`,
    link.expires_at
      ? state === 'expired'
        ? `expired ${formatRelativeTime(link.expires_at)}`
        : `expires ${formatRelativeTime(link.expires_at)}`
      : 'no expiry',
    link.scope !== 'view' &&
      (link.run_limit_per_hour ? `${link.run_limit_per_hour} runs/hour` : 'no run limit'),
  ].filter(Boolean);
  return (
    <Paper
      withBorder
      radius="md"
      className={classes.linkRow}
      data-state={state}
      role="listitem"
      aria-label={`${look.label} link ${link.token_prefix}, ${state}`}
    >
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Group gap="sm" wrap="nowrap" miw={0}>
          <Badge
            color={state === 'active' ? look.color : 'gray'}
            variant="light"
            radius="sm"
            tt="none"
            w={72}
            leftSection={<look.icon size={12} />}
          >
            {look.label}
          </Badge>
          <div style={{ minWidth: 0 }}>
            <Text size="sm" ff="monospace" truncate>
              /s/{link.token_prefix}…
            </Text>
            <Text size="xs" c="dimmed" title={formatDateTime(link.created_at)} truncate>
              {details.join(' · ')}
            </Text>
            {state === 'active' && <OwnerRunSwitch workflowId={workflowId} link={link} />}
          </div>
        </Group>
        <Group gap={4} wrap="nowrap">
          {state !== 'active' ? (
            <Badge color={state === 'revoked' ? 'red' : 'gray'} variant="outline" radius="sm" tt="none">
              {state === 'revoked' ? 'Revoked' : 'Expired'}
            </Badge>
          ) : (
            <>
              {url ? (
                <CopyButton value={url} timeout={1500}>
                  {({ copied, copy }) => (
                    <Tooltip label={copied ? 'Copied' : 'Copy link'}>
                      <ActionIcon onClick={copy} aria-label="Copy link" color={copied ? 'teal' : 'gray'}>
                        {copied ? <Check size={16} /> : <Copy size={16} />}
                      </ActionIcon>
                    </Tooltip>
                  )}
                </CopyButton>
              ) : (
                <Tooltip label="The full link was shown once, when it was created" multiline maw={220}>
                  <span>
                    <ActionIcon disabled aria-label="Copy link (no longer available)">
                      <Copy size={16} />
                    </ActionIcon>
                  </span>
                </Tooltip>
              )}
              <RevokeLinkButton label={look.label} revoking={revoking} onRevoke={onRevoke} />
            </>
          )}
        </Group>
      </Group>
    </Paper>
  );
}
