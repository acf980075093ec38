/** Connect without the mouse: for each input of a node, a menu of the outputs that may feed it. */
import { ActionIcon, Group, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Unlink } from 'lucide-react';
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { Catalogue, PortSpec } from './catalogue';
import { checkConnection } from './connections';
import { useCatalogue, useEditorStore, useEditorStoreApi } from './context';
import { portsFor } from './ports';
import type { EditorState } from './store';
import type { AppNode, WorkflowNodeData } from './types';

const titleOf = (catalogue: Catalogue, node: AppNode | undefined, fallback: string) =>
  node ? node.data.label?.trim() || catalogue.byType.get(node.data.kind)?.title || node.data.kind : fallback;

/** Every output that may feed `input` of node `nodeId`, computed when a menu opens. */
function candidates(state: EditorState, nodeId: string, input: PortSpec) {
  const { nodes, edges, catalogue } = state;
  return nodes.flatMap((other) => {
    const spec = catalogue.byType.get(other.data.kind);
    if (!spec || other.id === nodeId) return [];
    return portsFor(spec, other.data.params).outputs.flatMap((output) => {
      const link = { source: other.id, sourceHandle: output.name, target: nodeId, targetHandle: input.name };
      return checkConnection(link, nodes, edges, catalogue).ok
        ? [
            {
              value: `${other.id}\u0000${output.name}`,
              label: `${titleOf(catalogue, other, other.id)} › ${output.title}`,
            },
          ]
        : [];
    });
  });
}

export function ConnectMenus({ nodeId, data }: { nodeId: string; data: WorkflowNodeData }) {
  const catalogue = useCatalogue();
  const spec = catalogue.byType.get(data.kind);
  if (!spec) return null;
  const { inputs } = portsFor(spec, data.params);
  if (inputs.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        This node has no inputs. Connect its outputs from the nodes they feed.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      {inputs.map((input) => (
        <InputConnections key={input.name} nodeId={nodeId} input={input} />
      ))}
    </Stack>
  );
}

function InputConnections({ nodeId, input }: { nodeId: string; input: PortSpec }) {
  const store = useEditorStoreApi();
  const catalogue = useCatalogue();
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const connected = useEditorStore(
    useShallow((state) =>
      state.edges.filter((edge) => edge.target === nodeId && edge.targetHandle === input.name),
    ),
  );
  const sourceTitle = (id: string) =>
    titleOf(
      catalogue,
      store.getState().nodes.find((node) => node.id === id),
      id,
    );
  return (
    <div>
      {connected.map((edge) => (
        <Group key={edge.id} gap={4} wrap="nowrap" justify="space-between">
          <Text size="xs">
            {input.title} ← {sourceTitle(edge.source)} › {edge.sourceHandle}
          </Text>
          <ActionIcon
            size="sm"
            aria-label={`Disconnect ${input.title} from ${sourceTitle(edge.source)}`}
            onClick={() => store.getState().onEdgesChange([{ type: 'remove', id: edge.id }])}
          >
            <Unlink size={14} />
          </ActionIcon>
        </Group>
      ))}
      {(input.multiple || connected.length === 0) && (
        <Select
          size="xs"
          label={`Connect ${input.title} (${input.type})`}
          placeholder="Choose an output"
          nothingFoundMessage="No compatible output on the canvas"
          data={options}
          value={null}
          searchable
          onDropdownOpen={() => setOptions(candidates(store.getState(), nodeId, input))}
          onChange={(value) => {
            if (!value) return;
            const [source, sourceHandle] = value.split('\u0000');
            const check = store.getState().connect({
              source: source!,
              sourceHandle: sourceHandle!,
              target: nodeId,
              targetHandle: input.name,
            });
            if (!check.ok)
              notifications.show({ color: 'red', title: 'Connection refused', message: check.reason });
          }}
        />
      )}
    </div>
  );
}
