/** `/workflows/:id`: load the workflow, then edit it on the canvas and save it. */
import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { ReactFlowProvider } from '@xyflow/react';
import { Link, useParams } from 'react-router';

import { ApiError, errorMessage } from '../api/errors';
import { useWorkflow } from '../api/workflows';
import { EditorStoreProvider } from '../canvas/context';
import { WorkflowCanvas } from '../canvas/WorkflowCanvas';
import { PageLoader } from '../layout/PageLoader';
import { ConflictBanner } from './editor/ConflictBanner';
import classes from './editor/editor.module.css';
import { EditorHeader } from './editor/EditorHeader';
import { useEditorSave } from './editor/useEditorSave';
import { useUnsavedChangesGuard } from './editor/useUnsavedChangesGuard';

export function EditorPage() {
  const { workflowId = '' } = useParams();
  const workflow = useWorkflow(workflowId);

  if (workflow.isPending) {
    return <PageLoader label="Loading workflow" />;
  }
  if (workflow.isError) {
    const missing = workflow.error instanceof ApiError && workflow.error.status === 404;
    return (
      <Center className={classes.centre}>
        <Stack align="center" gap="xs" maw={460}>
          <Title order={2}>{missing ? 'Workflow not found' : 'Could not open this workflow'}</Title>
          <Text c="dimmed" ta="center">
            {missing ? 'It may have been deleted.' : errorMessage(workflow.error)}
          </Text>
          <Button mt="md" component={Link} to="/">
            Back to workflows
          </Button>
        </Stack>
      </Center>
    );
  }
  const { version, document } = workflow.data;
  return (
    <ReactFlowProvider>
      <EditorStoreProvider key={workflowId} initial={{ version, document }}>
        <Editor workflowId={workflowId} />
      </EditorStoreProvider>
    </ReactFlowProvider>
  );
}

function Editor({ workflowId }: { workflowId: string }) {
  const { save, loadLatest, status, dirty, conflict, loadingLatest } = useEditorSave(workflowId);
  // Ctrl/Cmd+S saves from anywhere on the page, form fields included.
  useHotkeys([['mod+S', () => void save(), { preventDefault: true }]], []);
  const leaveGuard = useUnsavedChangesGuard(dirty);

  return (
    <div className={classes.page}>
      <EditorHeader status={status} onSave={() => void save()} />
      {conflict && (
        <ConflictBanner conflict={conflict} loading={loadingLatest} onLoadLatest={() => void loadLatest()} />
      )}
      <WorkflowCanvas />
      {leaveGuard}
    </div>
  );
}
