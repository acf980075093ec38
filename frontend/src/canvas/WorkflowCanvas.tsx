/** The React Flow canvas bound to the editor store. */
import { Paper, Text, useMantineTheme } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  ConnectionMode,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type FinalConnectionState,
  type IsValidConnection,
  type OnConnectStartParams,
  type Viewport,
  type XYPosition,
} from '@xyflow/react';
import { useCallback, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';

import { categoryColor, isHexColor } from './appearance';
import classes from './canvas.module.css';
import { CanvasGrid, GRID_GAP } from './CanvasGrid';
import { checkConnection, findPort } from './connections';
import { VIRTUALISE_FROM } from './estimate';
import { useCatalogue, useEditorStore, useEditorStoreApi } from './context';
import { clearHandles, markHandles } from './highlight';
import type { AppEdge, AppNode } from './types';
import { useAddNode } from './useAddNode';
import { nodeTypes } from './WorkflowNode';
import { edgeTypes } from '../run/RunEdge';

export const NODE_TYPE_MIME = 'application/x-nodeloom-type';
const SNAP_GRID: [number, number] = [GRID_GAP, GRID_GAP];
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'];

function refused(reason: string) {
  notifications.show({ color: 'red', title: 'Connection refused', message: reason, autoClose: 5000 });
}

interface Props {
  snapToGrid: boolean;
  onQuickAdd: (at: XYPosition) => void;
  /** Look, pan and zoom only: nothing can be moved, connected, selected, renamed or added. */
  readOnly?: boolean;
}

/** In a read-only canvas, a node's own controls (rename on double-click, collapse) do nothing. */
function swallowNodeEdits(event: { target: EventTarget; stopPropagation: () => void }) {
  if ((event.target as HTMLElement).closest?.('.react-flow__node')) event.stopPropagation();
}

export function WorkflowCanvas({ snapToGrid, onQuickAdd, readOnly = false }: Props) {
  const store = useEditorStoreApi();
  const catalogue = useCatalogue();
  const nodes = useEditorStore((state) => state.nodes);
  const edges = useEditorStore((state) => state.edges);
  const onNodesChange = useEditorStore((state) => state.onNodesChange);
  const onEdgesChange = useEditorStore((state) => state.onEdgesChange);
  const [initialViewport] = useState(() => store.getState().viewport);
  const wrapper = useRef<HTMLDivElement>(null);
  const { screenToFlowPosition } = useReactFlow<AppNode, AppEdge>();
  const addNode = useAddNode();
  const theme = useMantineTheme();

  /** The edge whose end is being dragged to another handle, if any. */
  const reconnecting = useRef<string | undefined>(undefined);

  const isValidConnection = useCallback<IsValidConnection<AppEdge>>(
    (link) => {
      const { nodes: current, edges: existing } = store.getState();
      return checkConnection(link, current, existing, catalogue, reconnecting.current).ok;
    },
    [store, catalogue],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      const check = store.getState().connect(connection);
      if (!check.ok) refused(check.reason);
    },
    [store],
  );

  const onConnectStart = useCallback(
    (_event: unknown, { nodeId, handleId, handleType }: OnConnectStartParams) => {
      const root = wrapper.current;
      if (!root || !nodeId || !handleType) return;
      const { nodes: current, edges: existing } = store.getState();
      const node = current.find((candidate) => candidate.id === nodeId);
      const port =
        node && findPort(catalogue, node, handleType === 'source' ? 'outputs' : 'inputs', handleId);
      markHandles(root, { nodeId, handleType, portType: port?.type }, existing, catalogue);
    },
    [store, catalogue],
  );

  const onConnectEnd = useCallback(
    (_event: unknown, state: FinalConnectionState) => {
      if (wrapper.current) clearHandles(wrapper.current);
      if (state.isValid !== false || !state.fromHandle || !state.toHandle) return;
      const fromOutput = state.fromHandle.type === 'source';
      const [source, target] = fromOutput
        ? [state.fromHandle, state.toHandle]
        : [state.toHandle, state.fromHandle];
      const link = {
        source: source.nodeId,
        sourceHandle: source.id ?? null,
        target: target.nodeId,
        targetHandle: target.id ?? null,
      };
      const { nodes: current, edges: existing } = store.getState();
      const check = checkConnection(link, current, existing, catalogue, reconnecting.current);
      reconnecting.current = undefined;
      refused(check.ok ? 'Connect an output (right) to an input (left).' : check.reason);
    },
    [store, catalogue],
  );

  const onReconnectStart = useCallback((_event: unknown, edge: AppEdge) => {
    reconnecting.current = edge.id;
  }, []);

  const onReconnect = useCallback(
    (edge: AppEdge, connection: Connection) => {
      const check = store.getState().reconnect(edge, connection);
      if (!check.ok) refused(check.reason);
    },
    [store],
  );

  const onReconnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, _edge: AppEdge, _type: unknown, state: FinalConnectionState) => {
      onConnectEnd(event, state);
      reconnecting.current = undefined;
    },
    [onConnectEnd],
  );

  // While the view pans or zooms, the viewport is its own compositor layer (see `.canvas[data-moving]`),
  // set on the DOM directly so that no node re-renders.
  const onMoveStart = useCallback(() => {
    if (wrapper.current) wrapper.current.dataset.moving = '';
  }, []);

  const onMoveEnd = useCallback(
    (_event: unknown, viewport: Viewport) => {
      if (wrapper.current) delete wrapper.current.dataset.moving;
      store.getState().setViewport(viewport);
    },
    [store],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(NODE_TYPE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const kind = event.dataTransfer.getData(NODE_TYPE_MIME);
      if (!kind) return;
      event.preventDefault();
      addNode(kind, screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [addNode, screenToFlowPosition],
  );

  const onDoubleClick = useCallback(
    (event: ReactMouseEvent) => {
      const target = event.target as HTMLElement;
      if (!target.classList.contains('react-flow__pane')) return;
      onQuickAdd(screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [onQuickAdd, screenToFlowPosition],
  );

  const minimapColor = useCallback(
    (node: AppNode) => {
      if (isHexColor(node.data.color)) return node.data.color;
      const color = categoryColor(catalogue.byType.get(node.data.kind)?.category);
      return theme.colors[color]?.[5] ?? theme.colors.gray[5] ?? '#adb5bd';
    },
    [theme, catalogue],
  );

  return (
    <div
      className={classes.canvas}
      ref={wrapper}
      onDragOver={readOnly ? undefined : onDragOver}
      onDrop={readOnly ? undefined : onDrop}
      onDoubleClick={readOnly ? undefined : onDoubleClick}
      onClickCapture={readOnly ? swallowNodeEdits : undefined}
      onDoubleClickCapture={readOnly ? swallowNodeEdits : undefined}
      data-readonly={readOnly || undefined}
    >
      <ReactFlow<AppNode, AppEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectStart={onConnectStart}
        onConnectEnd={onConnectEnd}
        onReconnect={onReconnect}
        onReconnectStart={onReconnectStart}
        onReconnectEnd={onReconnectEnd}
        isValidConnection={isValidConnection}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={!readOnly}
        elementsSelectable={!readOnly}
        connectionMode={ConnectionMode.Strict}
        defaultViewport={initialViewport}
        onMoveStart={onMoveStart}
        onMoveEnd={onMoveEnd}
        deleteKeyCode={null}
        multiSelectionKeyCode={MULTI_SELECT_KEYS}
        selectionKeyCode="Shift"
        zoomOnDoubleClick={false}
        snapToGrid={snapToGrid}
        snapGrid={SNAP_GRID}
        onlyRenderVisibleElements={nodes.length > VIRTUALISE_FROM}
        minZoom={0.1}
        maxZoom={2}
        attributionPosition="bottom-center"
        proOptions={{ hideAttribution: true }}
        aria-label="Workflow canvas"
      >
        <CanvasGrid />
        <Controls position="bottom-left" showInteractive={false} />
        <MiniMap
          position="bottom-right"
          pannable
          zoomable
          nodeColor={minimapColor}
          nodeBorderRadius={6}
          ariaLabel="Minimap"
        />
      </ReactFlow>
      {nodes.length === 0 && !readOnly && (
        <div className={classes.emptyHint}>
          <Paper withBorder shadow="xs" p="lg" radius="md" className={classes.emptyHintCard}>
            <Text fw={600}>This canvas is empty</Text>
            <Text size="sm" c="dimmed" mt={4}>
              Drag a node from the palette, press <b>/</b> to search for one, or double-click the canvas. Then
              drag from an output handle to an input handle to connect steps.
            </Text>
          </Paper>
        </div>
      )}
    </div>
  );
}
