/**
 * The inspector: the selected node's name, colour and params, with a form generated from
 * its type's Params JSON Schema, validated as the person types; its connections can be
 * made from menus (keyboard-friendly). A selected edge can be deleted here.
 */
import {
  ActionIcon,
  Alert,
  Badge,
  ColorSwatch,
  Divider,
  Group,
  ScrollArea,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { Ban, Trash2, X } from 'lucide-react';
import { memo, useMemo } from 'react';

import { CredentialPicker } from '../credentials/CredentialPicker';
import { SchemaForm } from '../schema-form/SchemaForm';
import { validateParams } from '../schema-form/validate';
import { categoryColor, isHexColor, kindIcon, NODE_COLORS } from './appearance';
import { ConnectMenus } from './ConnectMenus';
import { useCatalogue, useEditorStore, useEditorStoreApi } from './context';
import classes from './panels.module.css';
import { scanTemplate } from './ports';
import type { AppEdge, AppNode, WorkflowNodeData } from './types';

/** The id of the one selected node (none when several are selected). */
function selectedNodeId(nodes: readonly AppNode[]): string | undefined {
  let found: string | undefined;
  for (const candidate of nodes) {
    if (candidate.selected) {
      if (found) return undefined;
      found = candidate.id;
    }
  }
  return found;
}

function InspectorView() {
  const nodeId = useEditorStore((state) => selectedNodeId(state.nodes));
  const edge = useEditorStore((state) =>
    nodeId ? undefined : state.edges.find((candidate) => candidate.selected),
  );
  if (nodeId) return <SelectedNode id={nodeId} />;
  if (edge) return <EdgeInspector edge={edge} />;
  return null;
}

/** Re-renders only when the node's data changes (not while it is dragged). */
function SelectedNode({ id }: { id: string }) {
  const data = useEditorStore((state) => state.nodes.find((node) => node.id === id)?.data);
  const type = useEditorStore((state) => state.nodes.find((node) => node.id === id)?.type);
  if (!data || !type) return null;
  return <NodeInspector id={id} type={type} data={data} />;
}

export const Inspector = memo(InspectorView);

function Shell({
  title,
  children,
  onClose,
}: {
  title: string;
  children: React.ReactNode;
  onClose: () => void;
}) {
  return (
    <aside className={classes.inspector} aria-label="Inspector">
      <Group justify="space-between" className={classes.inspectorHeader} wrap="nowrap">
        <Title order={2} size="h4" className={classes.inspectorTitle}>
          {title}
        </Title>
        <ActionIcon aria-label="Close inspector" onClick={onClose}>
          <X size={16} />
        </ActionIcon>
      </Group>
      <ScrollArea className={classes.inspectorBody} type="auto" offsetScrollbars>
        <div className={classes.inspectorContent}>{children}</div>
      </ScrollArea>
    </aside>
  );
}

function NodeInspector({ id, type, data }: { id: string; type: AppNode['type']; data: WorkflowNodeData }) {
  const node = { id, type, data };
  const store = useEditorStoreApi();
  const catalogue = useCatalogue();
  const credentials = useEditorStore((state) => state.meta.credentials);
  const spec = catalogue.byType.get(node.data.kind);
  const { params } = node.data;
  const errors = useMemo(() => {
    if (!spec) return [];
    const found = validateParams(spec.paramsSchema, params);
    for (const field of [spec.dynamicInputsFrom, spec.dynamicOutputsFrom]) {
      const value = field ? params[field] : undefined;
      const scan = typeof value === 'string' ? scanTemplate(value) : null;
      if (scan?.error) found.push({ pointer: `/${field}`, message: scan.error.message });
    }
    return found;
  }, [spec, params]);
  const title = node.data.label?.trim() || spec?.title || node.data.kind;
  const Icon = kindIcon(node.data.kind, spec?.category);
  const update = store.getState().updateNodeData;
  const deselect = () => store.getState().onNodesChange([{ type: 'select', id: node.id, selected: false }]);
  const isNote = node.type !== 'workflow'; // an annotation: a note or a group

  return (
    <Shell title={title} onClose={deselect}>
      <Stack gap="md">
        <Group gap="xs" wrap="nowrap">
          <Badge
            variant="light"
            color={isHexColor(node.data.color) ? node.data.color : categoryColor(spec?.category)}
            leftSection={<Icon size={12} />}
            tt="none"
          >
            {spec?.category ?? 'Unknown type'}
          </Badge>
          <Text size="xs" ff="monospace" c="dimmed">
            {node.data.kind}
          </Text>
        </Group>
        {spec?.description && (
          <Text size="xs" c="dimmed">
            {spec.description}
          </Text>
        )}
        {node.type !== 'nodeGroup' && (
          <TextInput
            label="Name"
            placeholder={spec?.title ?? 'Name'}
            description="Shown on the canvas; defaults to the type's title."
            value={node.data.label ?? ''}
            onChange={(event) => update(node.id, { label: event.currentTarget.value }, 'label')}
          />
        )}
        {!isNote && (
          <Group justify="space-between" align="center">
            <Group gap={6} role="radiogroup" aria-label="Node colour">
              {NODE_COLORS.map(({ name, hex }) => {
                const checked = node.data.color?.toLowerCase() === hex;
                return (
                  <Tooltip key={name} label={name} openDelay={400}>
                    <ColorSwatch
                      component="button"
                      type="button"
                      size={18}
                      color={hex}
                      role="radio"
                      aria-checked={checked}
                      aria-label={`Colour ${name}`}
                      onClick={() => update(node.id, { color: checked ? undefined : hex })}
                      className={classes.swatch}
                      data-checked={checked || undefined}
                    />
                  </Tooltip>
                );
              })}
            </Group>
            <Switch
              size="xs"
              label="Collapsed"
              checked={Boolean(node.data.collapsed)}
              onChange={(event) => update(node.id, { collapsed: event.currentTarget.checked || undefined })}
            />
          </Group>
        )}
        {node.data.problems && node.data.problems.length > 0 && (
          <Alert color="red" variant="light" title="Problems" icon={<Ban size={16} />} p="xs">
            <Stack gap={2}>
              {node.data.problems.map((problem, index) => (
                <Text key={index} size="xs">
                  {problem.message}
                </Text>
              ))}
            </Stack>
          </Alert>
        )}
        <Divider label="Parameters" labelPosition="left" />
        {spec ? (
          <SchemaForm
            key={node.id}
            schema={spec.paramsSchema}
            value={params}
            errors={errors}
            credentialNames={(credentials ?? []).map((credential) => credential.name)}
            templateFields={[spec.dynamicInputsFrom ?? ''].filter(Boolean)}
            credentialField={CredentialPicker}
            onChange={(next) => update(node.id, { params: next }, 'params')}
          />
        ) : (
          <Text size="sm" c="dimmed">
            This node type is not in the catalogue; its params are kept as they are.
          </Text>
        )}
        {!isNote && spec && (
          <>
            <Divider label="Connections" labelPosition="left" />
            <ConnectMenus nodeId={id} data={data} />
          </>
        )}
      </Stack>
    </Shell>
  );
}

function EdgeInspector({ edge }: { edge: AppEdge }) {
  const store = useEditorStoreApi();
  const catalogue = useCatalogue();
  const nodes = useEditorStore((state) => state.nodes);
  const name = (id: string) => {
    const node = nodes.find((candidate) => candidate.id === id);
    return node
      ? node.data.label?.trim() || catalogue.byType.get(node.data.kind)?.title || node.data.kind
      : id;
  };
  const deselect = () => store.getState().onEdgesChange([{ type: 'select', id: edge.id, selected: false }]);
  return (
    <Shell title="Connection" onClose={deselect}>
      <Stack gap="sm">
        <Text size="sm">
          <b>{name(edge.source)}</b> · {edge.sourceHandle} → <b>{name(edge.target)}</b> · {edge.targetHandle}
        </Text>
        {edge.data?.problems?.map((problem, index) => (
          <Alert key={index} color="red" variant="light" p="xs">
            {problem.message}
          </Alert>
        ))}
        <Text size="xs" c="dimmed">
          Drag either end of the edge to another handle to re-route it.
        </Text>
        <Group>
          <ActionIcon
            variant="light"
            color="red"
            aria-label="Delete connection"
            onClick={() => store.getState().deleteSelection()}
          >
            <Trash2 size={16} />
          </ActionIcon>
        </Group>
      </Stack>
    </Shell>
  );
}
