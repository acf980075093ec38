/** The React Flow canvas bound to the editor store. */
import { Paper, Text, useMantineTheme } from '@mantine/core';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  useReactFlow,
  type IsValidConnection,
  type Viewport,
} from '@xyflow/react';
import { useCallback, useRef, useState } from 'react';

import { AddNodeMenu } from './AddNodeMenu';
import { CATEGORY_COLORS } from './appearance';
import classes from './canvas.module.css';
import { canConnect } from './connections';
import { useEditorStore, useEditorStoreApi } from './context';
import { findNodeKind } from './nodeKinds';
import { placeNewNode } from './placement';
import type { AppEdge, AppNode } from './types';
import { nodeTypes } from './WorkflowNode';

const DELETE_KEYS = ['Delete', 'Backspace'];

export function WorkflowCanvas() {
  const store = useEditorStoreApi();
  const nodes = useEditorStore((state) => state.nodes);
  const edges = useEditorStore((state) => state.edges);
  const onNodesChange = useEditorStore((state) => state.onNodesChange);
  const onEdgesChange = useEditorStore((state) => state.onEdgesChange);
  const onConnect = useEditorStore((state) => state.onConnect);
  const [initialViewport] = useState(() => store.getState().viewport);
  const wrapper = useRef<HTMLDivElement>(null);
  const { screenToFlowPosition } = useReactFlow<AppNode, AppEdge>();
  const theme = useMantineTheme();

  const isValidConnection = useCallback<IsValidConnection<AppEdge>>(
    (link) => {
      const { nodes: current, edges: existing } = store.getState();
      return canConnect(link, current, existing);
    },
    [store],
  );

  const onMoveEnd = useCallback(
    (_event: unknown, viewport: Viewport) => store.getState().setViewport(viewport),
    [store],
  );

  const addNode = useCallback(
    (kind: string) => {
      const rect = wrapper.current?.getBoundingClientRect();
      if (!rect) return;
      const centre = screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
      const state = store.getState();
      state.addNode(kind, placeNewNode(centre, state.nodes));
    },
    [screenToFlowPosition, store],
  );

  const minimapColor = useCallback(
    (node: AppNode) => {
      const category = findNodeKind(node.data.kind)?.category;
      const colors = category ? theme.colors[CATEGORY_COLORS[category]] : undefined;
      return colors?.[4] ?? theme.colors.gray[4] ?? '#ced4da';
    },
    [theme],
  );

  return (
    <div className={classes.canvas} ref={wrapper}>
      <ReactFlow<AppNode, AppEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        defaultViewport={initialViewport}
        onMoveEnd={onMoveEnd}
        deleteKeyCode={DELETE_KEYS}
        minZoom={0.2}
        maxZoom={2}
        attributionPosition="top-right"
        aria-label="Workflow canvas"
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.6} />
        <Controls position="bottom-left" showInteractive={false} />
        <MiniMap position="bottom-right" pannable zoomable nodeColor={minimapColor} nodeBorderRadius={6} />
        <Panel position="top-left">
          <AddNodeMenu onAdd={addNode} />
        </Panel>
      </ReactFlow>
      {nodes.length === 0 && (
        <div className={classes.emptyHint}>
          <Paper withBorder shadow="xs" p="lg" radius="md" className={classes.emptyHintCard}>
            <Text fw={600}>This canvas is empty</Text>
            <Text size="sm" c="dimmed" mt={4}>
              Use <b>Add node</b> to place your first step, then drag from an output handle to an input handle
              to connect steps.
            </Text>
          </Paper>
        </div>
      )}
    </div>
  );
}
