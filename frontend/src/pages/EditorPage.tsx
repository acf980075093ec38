/** `/workflows/:id`: load the workflow and the node catalogue, then edit it on the canvas. */
import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { useHotkeys, useLocalStorage } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { ReactFlowProvider, type XYPosition } from '@xyflow/react';
import { ListChecks } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';

import { ApiError, errorMessage } from '../api/errors';
import { useNodeTypes } from '../api/nodeTypes';
import type { Workflow } from '../api/types';
import { useWorkflow } from '../api/workflows';
import type { Catalogue } from '../canvas/catalogue';
import { CanvasToolbar } from '../canvas/CanvasToolbar';
import { EditorStoreProvider } from '../canvas/context';
import { Inspector } from '../canvas/Inspector';
import { Palette } from '../canvas/Palette';
import { QuickAdd } from '../canvas/QuickAdd';
import type { LoadedWorkflow } from '../canvas/store';
import { useEditorShortcuts } from '../canvas/useEditorShortcuts';
import { WorkflowCanvas } from '../canvas/WorkflowCanvas';
import { ImportOnDrop } from '../exchange/ImportOnDrop';
import { PageLoader } from '../layout/PageLoader';
import { readDraft } from '../lib/drafts';
import { RunBar, RunButton, RunPanel, RunStoreProvider, useRunFollower } from '../run';
import { ShareButton } from '../share/ShareButton';
import { ConflictBanner } from './editor/ConflictBanner';
import classes from './editor/editor.module.css';
import { EditorHeader } from './editor/EditorHeader';
import { HistoryPanel } from './editor/HistoryPanel';
import { SecretRefusal } from './editor/SecretRefusal';
import { ShortcutSheet } from './editor/ShortcutSheet';
import { useEditorSave, type Persistence } from './editor/useEditorSave';
import { useUnsavedChangesGuard } from './editor/useUnsavedChangesGuard';

function LoadError({ error }: { error: unknown }) {
  const missing = error instanceof ApiError && error.status === 404;
  return (
    <Center className={classes.centre}>
      <Stack align="center" gap="xs" maw={460}>
        <Title order={2}>{missing ? 'Workflow not found' : 'Could not open this workflow'}</Title>
        <Text c="dimmed" ta="center">
          {missing ? 'It may have been deleted.' : errorMessage(error)}
        </Text>
        <Button mt="md" component={Link} to="/">
          Back to workflows
        </Button>
      </Stack>
    </Center>
  );
}

/** The server's workflow, or this browser's unsaved edits of it when there are some. */
function initialWorkflow(workflowId: string, workflow: Workflow): LoadedWorkflow & { restored: boolean } {
  const problems = workflow.problems ?? [];
  const draft = readDraft(workflowId);
  if (draft)
    return { version: draft.baseVersion, document: draft.document, problems, dirty: true, restored: true };
  return { version: workflow.version, document: workflow.document, problems, restored: false };
}

export function EditorPage() {
  const { workflowId = '' } = useParams();
  const workflow = useWorkflow(workflowId);
  const catalogue = useNodeTypes();

  if (workflow.isPending || catalogue.isPending) return <PageLoader label="Loading workflow" />;
  if (workflow.isError) return <LoadError error={workflow.error} />;
  if (catalogue.isError) return <LoadError error={catalogue.error} />;
  return (
    <EditorRoot
      key={workflowId}
      workflowId={workflowId}
      workflow={workflow.data}
      catalogue={catalogue.data}
    />
  );
}

/**
 * What a non-owner may do in the editor (an edit link's visitor): saves and runs go
 * through the link, and the owner's tools (history, runs list, share) are left out.
 */
export interface EditorAccess {
  persistence: Persistence;
  startRun: (inputs: Record<string, string>) => Promise<{ id: string }>;
  runEventsUrl: (runId: string, after: number) => string;
  /** Shown after the workflow's name (who shared it, what the link allows). */
  titleExtras?: ReactNode;
  /** Shown in the header before the run controls (Duplicate). */
  headerExtras?: ReactNode;
}

/** The stores every canvas view needs: React Flow's, the document's and the run's. */
export function EditorProviders({
  initial,
  catalogue,
  children,
}: {
  initial: LoadedWorkflow;
  catalogue: Catalogue;
  children: ReactNode;
}) {
  return (
    <ReactFlowProvider>
      <EditorStoreProvider initial={initial} catalogue={catalogue}>
        <RunStoreProvider>{children}</RunStoreProvider>
      </EditorStoreProvider>
    </ReactFlowProvider>
  );
}

export function EditorRoot({
  workflowId,
  workflow,
  catalogue,
  access,
}: {
  workflowId: string;
  workflow: Workflow;
  catalogue: Catalogue;
  access?: EditorAccess;
}) {
  const [initial] = useState(() => initialWorkflow(workflowId, workflow));
  useEffect(() => {
    if (initial.restored) {
      notifications.show({
        color: 'blue',
        title: 'Unsaved edits restored',
        message: 'Edits made in this browser that had not reached the server are back and will be saved.',
      });
    }
  }, [initial.restored]);
  return (
    <EditorProviders initial={initial} catalogue={catalogue}>
      <Editor workflowId={workflowId} access={access} />
    </EditorProviders>
  );
}

function Editor({ workflowId, access }: { workflowId: string; access?: EditorAccess }) {
  const owner = access === undefined;
  const { save, loadLatest, keepMine, adopt, status, dirty, conflict, busy, secrets } = useEditorSave(
    workflowId,
    access?.persistence,
  );
  const [quickAdd, setQuickAdd] = useState<{ at: XYPosition | null } | null>(null);
  const [shortcuts, setShortcuts] = useState(false);
  const [history, setHistory] = useState(false);
  const [runsOpen, setRunsOpen] = useState(false);
  useRunFollower(workflowId, { eventsUrl: access?.runEventsUrl });
  const [snapToGrid, setSnapToGrid] = useLocalStorage({ key: 'nodeloom:snap-to-grid', defaultValue: false });
  // Ctrl/Cmd+S saves from anywhere on the page, form fields included.
  useHotkeys([['mod+S', () => void save(), { preventDefault: true }]], []);
  useEditorShortcuts({ onQuickAdd: () => setQuickAdd({ at: null }), onShortcuts: () => setShortcuts(true) });
  const leaveGuard = useUnsavedChangesGuard(dirty);

  return (
    <div className={classes.page}>
      <EditorHeader
        status={status}
        onSave={() => void save()}
        onHistory={owner ? () => setHistory(true) : undefined}
        onShortcuts={() => setShortcuts(true)}
        titleExtras={access?.titleExtras}
        runActions={
          <>
            {access?.headerExtras}
            {owner && <ShareButton workflowId={workflowId} />}
            {owner && (
              <Button
                variant="default"
                leftSection={<ListChecks size={16} />}
                onClick={() => setRunsOpen(true)}
              >
                Runs
              </Button>
            )}
            <RunButton
              workflowId={workflowId}
              onSave={save}
              start={access?.startRun}
              blockedReason={conflict ? 'Resolve the save conflict first' : null}
            />
          </>
        }
      />
      {conflict && (
        <ConflictBanner
          conflict={conflict}
          busy={busy}
          onLoadLatest={() => void loadLatest()}
          onKeepMine={() => void keepMine()}
        />
      )}
      {secrets.length > 0 && <SecretRefusal secrets={secrets} canStore={owner} onMoved={() => void save()} />}
      <div className={classes.workspace}>
        <Palette />
        <div className={classes.canvasColumn}>
          <WorkflowCanvas snapToGrid={snapToGrid} onQuickAdd={(at) => setQuickAdd({ at })} />
          <RunBar onOpenRuns={owner ? () => setRunsOpen(true) : undefined} cancellable={owner} />
          <div className={classes.toolbar}>
            <CanvasToolbar snapToGrid={snapToGrid} onSnapToGrid={setSnapToGrid} />
          </div>
        </div>
        <Inspector />
      </div>
      <QuickAdd opened={quickAdd !== null} at={quickAdd?.at ?? null} onClose={() => setQuickAdd(null)} />
      <ShortcutSheet opened={shortcuts} onClose={() => setShortcuts(false)} />
      {owner && (
        <HistoryPanel
          workflowId={workflowId}
          opened={history}
          onClose={() => setHistory(false)}
          onRestored={(restored) => {
            adopt(restored);
            setHistory(false);
          }}
        />
      )}
      {owner && <RunPanel workflowId={workflowId} opened={runsOpen} onClose={() => setRunsOpen(false)} />}
      {owner && <ImportOnDrop />}
      {leaveGuard}
    </div>
  );
}
