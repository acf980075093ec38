/**
 * Version history: every save is a version. List them with author and time, preview one on
 * a read-only canvas with what changed against the current canvas, and restore it (the
 * server makes it current again as a new version).
 */
import { Badge, Button, Drawer, Group, Loader, Modal, ScrollArea, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ReactFlow, ReactFlowProvider } from '@xyflow/react';
import { History } from 'lucide-react';
import { useMemo, useState } from 'react';

import { ApiError, errorMessage } from '../../api/errors';
import type { Workflow, WorkflowDocument } from '../../api/types';
import { restoreVersion, useVersion, useVersions } from '../../api/workflows';
import { EditorStoreProvider, useCatalogue, useEditorStore, useEditorStoreApi } from '../../canvas/context';
import { diffDocuments, isEmptyDiff, type DocumentDiff } from '../../canvas/diff';
import { formatRelativeTime } from '../../lib/format';
import { nodeTypes } from '../../canvas/WorkflowNode';
import classes from './editor.module.css';

interface Props {
  workflowId: string;
  opened: boolean;
  onClose: () => void;
  onRestored: (workflow: Workflow) => void;
}

export function HistoryPanel({ workflowId, opened, onClose, onRestored }: Props) {
  const versions = useVersions(workflowId, opened);
  const current = useEditorStore((state) => state.version);
  const [preview, setPreview] = useState<number | null>(null);
  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size={380}
      title={
        <Group gap={8}>
          <History size={18} />
          Version history
        </Group>
      }
    >
      {versions.isPending && <Loader size="sm" />}
      {versions.isError && <Text c="red">{errorMessage(versions.error)}</Text>}
      <Stack gap="xs" role="list" aria-label="Versions">
        {versions.data?.items.map((item) => (
          <div
            key={item.version}
            role="listitem"
            aria-label={`Version ${item.version}`}
            className={classes.versionRow}
          >
            <Group justify="space-between" wrap="nowrap">
              <div>
                <Group gap={6}>
                  <Text fw={600} size="sm">
                    Version {item.version}
                  </Text>
                  {item.version === current && (
                    <Badge size="xs" variant="light">
                      current
                    </Badge>
                  )}
                </Group>
                <Text size="xs" c="dimmed">
                  {item.author} ·{' '}
                  <time dateTime={item.created_at}>{formatRelativeTime(item.created_at)}</time> ·{' '}
                  {item.node_count} nodes
                </Text>
                {item.message && <Text size="xs">{item.message}</Text>}
              </div>
              <Button size="xs" variant="light" onClick={() => setPreview(item.version)}>
                Preview
              </Button>
            </Group>
          </div>
        ))}
      </Stack>
      <VersionPreview
        workflowId={workflowId}
        version={preview}
        onClose={() => setPreview(null)}
        onRestored={(workflow) => {
          setPreview(null);
          onRestored(workflow);
        }}
      />
    </Drawer>
  );
}

function VersionPreview({
  workflowId,
  version,
  onClose,
  onRestored,
}: {
  workflowId: string;
  version: number | null;
  onClose: () => void;
  onRestored: (workflow: Workflow) => void;
}) {
  const store = useEditorStoreApi();
  const catalogue = useCatalogue();
  const loaded = useVersion(workflowId, version);
  const [restoring, setRestoring] = useState(false);
  const diff = useMemo(
    () => (loaded.data ? diffDocuments(loaded.data.document, store.getState().toDocument()) : null),
    [loaded.data, store],
  );
  const restore = async () => {
    if (version === null) return;
    setRestoring(true);
    try {
      const workflow = await restoreVersion(workflowId, version, store.getState().version);
      notifications.show({
        color: 'teal',
        message: `Restored version ${version} as version ${workflow.version}`,
      });
      onRestored(workflow);
    } catch (error) {
      const message =
        error instanceof ApiError && error.isConflict
          ? 'The workflow changed meanwhile; load the latest first.'
          : errorMessage(error);
      notifications.show({ color: 'red', title: 'Could not restore', message });
    } finally {
      setRestoring(false);
    }
  };
  return (
    <Modal
      opened={version !== null}
      onClose={onClose}
      size="90vw"
      title={`Version ${version ?? ''} (read-only)`}
    >
      {loaded.isPending && <Loader size="sm" />}
      {loaded.data && diff && (
        <Stack gap="sm">
          <ChangeSummary diff={diff} />
          <div className={classes.previewCanvas}>
            <ReactFlowProvider>
              <EditorStoreProvider
                initial={{ version: loaded.data.version, document: loaded.data.document }}
                catalogue={catalogue}
              >
                <ReadOnlyCanvas document={loaded.data.document} />
              </EditorStoreProvider>
            </ReactFlowProvider>
          </div>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Close
            </Button>
            <Button onClick={() => void restore()} loading={restoring}>
              Restore this version
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function ReadOnlyCanvas({ document }: { document: WorkflowDocument }) {
  const nodes = useEditorStore((state) => state.nodes);
  const edges = useEditorStore((state) => state.edges);
  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={false}
      fitView={Boolean(document.nodes?.length)}
      proOptions={{ hideAttribution: true }}
      aria-label="Version preview"
    />
  );
}

function ChangeSummary({ diff }: { diff: DocumentDiff }) {
  if (isEmptyDiff(diff)) return <Text size="sm">Same as the current canvas.</Text>;
  const items: [string, number, string][] = [
    ['nodes added since', diff.nodes.added.length, 'teal'],
    ['nodes removed since', diff.nodes.removed.length, 'red'],
    ['nodes changed since', diff.nodes.changed.length, 'yellow'],
    ['nodes moved since', diff.nodes.moved.length, 'gray'],
    ['edges added since', diff.edges.added.length, 'teal'],
    ['edges removed since', diff.edges.removed.length, 'red'],
    ['edges changed since', diff.edges.changed.length, 'yellow'],
  ];
  return (
    <div aria-label="Changes against the current canvas" role="group">
      <Text size="sm" fw={600} mb={4}>
        Against the current canvas:
      </Text>
      <Group gap={6}>
        {items
          .filter(([, count]) => count > 0)
          .map(([label, count, color]) => (
            <Badge key={label} color={color} variant="light" tt="none">
              {count} {label.replace(' since', '')}
            </Badge>
          ))}
      </Group>
      <ScrollArea.Autosize mah={120} mt={6}>
        <Text size="xs" c="dimmed">
          {[
            ...diff.nodes.added.map((node) => `+ ${node.label ?? node.type} (${node.id})`),
            ...diff.nodes.removed.map((node) => `− ${node.label ?? node.type} (${node.id})`),
            ...diff.nodes.changed.map((node) => `~ ${node.label ?? node.type} (${node.id})`),
          ].join('  ·  ')}
        </Text>
      </ScrollArea.Autosize>
    </div>
  );
}
