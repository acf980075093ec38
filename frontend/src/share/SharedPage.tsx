/**
 * `/s/:token`: a workflow opened through a share link. View links show the canvas
 * read-only; run links add a Run button whose run is watched live through the link's
 * socket; edit links open the normal editor, saving through the link, for a signed-in
 * visitor. "Your runs" lists the runs this visitor started (no one else sees them) and the
 * owner's latest run if the link shows it. A dead link shows "This link no longer works".
 */
import { Anchor, Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';

import { ApiError, errorMessage } from '../api/errors';
import { useNodeTypes } from '../api/nodeTypes';
import { useSession } from '../auth/session';
import type { Catalogue } from '../canvas/catalogue';
import { WorkflowCanvas } from '../canvas/WorkflowCanvas';
import { PageLoader } from '../layout/PageLoader';
import editorClasses from '../pages/editor/editor.module.css';
import { CredentialsOwnedBy } from '../credentials/ownerCredentials';
import { EditorProviders, EditorRoot, type EditorAccess } from '../pages/EditorPage';
import { RunBar, RunButton, useRunFollower } from '../run';
import {
  getShared,
  saveShared,
  sharedRunEventsUrl,
  useShared,
  useStartSharedRun,
  type SharedWorkflow,
} from './api';
import { LinkGonePage } from './LinkGonePage';
import classes from './share.module.css';
import { DuplicateButton, SharedBadges, SharedHeader } from './SharedHeader';
import { YourRuns } from './YourRuns';

export function SharedPage() {
  const { token = '' } = useParams();
  const shared = useShared(token);
  const catalogue = useNodeTypes();
  const session = useSession();

  if (shared.isError) {
    if (shared.error instanceof ApiError && shared.error.status === 404) return <LinkGonePage />;
    return <LoadProblem error={shared.error} />;
  }
  if (shared.isPending || catalogue.isPending || !session.known)
    return <PageLoader label="Opening the shared workflow" />;
  if (catalogue.isError) return <LoadProblem error={catalogue.error} />;

  const canEdit = shared.data.scope === 'edit' && !session.anonymous;
  if (canEdit)
    return <SharedEditor key={token} token={token} shared={shared.data} catalogue={catalogue.data} />;
  return <SharedViewer key={token} token={token} shared={shared.data} catalogue={catalogue.data} />;
}

function LoadProblem({ error }: { error: unknown }) {
  return (
    <Center h="100vh">
      <Stack align="center" gap="xs" maw={460}>
        <Title order={2}>Could not open this link</Title>
        <Text c="dimmed" ta="center">
          {errorMessage(error)}
        </Text>
        <Button mt="md" variant="default" onClick={() => window.location.reload()}>
          Try again
        </Button>
      </Stack>
    </Center>
  );
}

function SharedEditor({
  token,
  shared,
  catalogue,
}: {
  token: string;
  shared: SharedWorkflow;
  catalogue: Catalogue;
}) {
  const startRun = useStartSharedRun(token);
  const access = useMemo<EditorAccess>(
    () => ({
      persistence: {
        save: (version, document) => saveShared(token, version, document),
        load: async () => (await getShared(token)).workflow,
      },
      startRun,
      runEventsUrl: sharedRunEventsUrl(token),
      titleExtras: <SharedBadges ownerName={shared.owner_name} scope={shared.scope} />,
      headerExtras: (
        <>
          <DuplicateButton token={token} />
          <YourRuns token={token} ownerName={shared.owner_name} canRun />
        </>
      ),
    }),
    [token, shared.owner_name, shared.scope, startRun],
  );
  return (
    <CredentialsOwnedBy owner={shared.owner_name}>
      <EditorRoot
        workflowId={shared.workflow.id}
        workflow={shared.workflow}
        catalogue={catalogue}
        access={access}
      />
    </CredentialsOwnedBy>
  );
}

function SharedViewer({
  token,
  shared,
  catalogue,
}: {
  token: string;
  shared: SharedWorkflow;
  catalogue: Catalogue;
}) {
  const { workflow } = shared;
  const [initial] = useState(() => ({
    version: workflow.version,
    document: workflow.document,
    problems: workflow.problems ?? [],
  }));
  return (
    <EditorProviders initial={initial} catalogue={catalogue}>
      <SharedCanvas token={token} shared={shared} />
    </EditorProviders>
  );
}

function SharedCanvas({ token, shared }: { token: string; shared: SharedWorkflow }) {
  const { workflow, scope } = shared;
  const session = useSession();
  const eventsUrl = useMemo(() => sharedRunEventsUrl(token), [token]);
  useRunFollower(workflow.id, { eventsUrl });
  const startRun = useStartSharedRun(token);

  const canRun = scope === 'run' || scope === 'edit';
  return (
    <div className={editorClasses.page} data-testid="shared-view" data-scope={scope}>
      <SharedHeader
        token={token}
        name={workflow.name}
        ownerName={shared.owner_name}
        scope={scope}
        actions={
          <>
            <YourRuns token={token} ownerName={shared.owner_name} canRun={canRun} />
            {canRun && <RunButton workflowId={workflow.id} onSave={async () => {}} start={startRun} />}
          </>
        }
      />
      <div className={editorClasses.workspace}>
        <div className={`${editorClasses.canvasColumn} ${classes.readOnly}`}>
          <WorkflowCanvas readOnly snapToGrid={false} onQuickAdd={() => {}} />
          <RunBar cancellable={false} />
          {scope === 'edit' && session.anonymous && (
            <Paper withBorder shadow="sm" radius="md" px="md" py={8} className={classes.notice}>
              <Text size="sm">
                This link lets signed-in people edit.{' '}
                <Anchor component={Link} to={`/login?next=${encodeURIComponent(`/s/${token}`)}`} size="sm">
                  Sign in to edit
                </Anchor>
              </Text>
            </Paper>
          )}
        </div>
      </div>
    </div>
  );
}
