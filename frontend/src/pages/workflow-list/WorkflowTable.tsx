import { ActionIcon, Anchor, Badge, Menu, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { Copy, Download, MoreHorizontal, Pencil, SquareArrowOutUpRight, Trash2 } from 'lucide-react';
import { Link } from 'react-router';

import type { WorkflowSummary } from '../../api/types';
import { ListTable } from '../../layout/ListTable';
import { formatDateTime, formatRelativeTime } from '../../lib/format';
import classes from './list.module.css';

export type RowAction = 'rename' | 'duplicate' | 'export' | 'delete';

interface Props {
  workflows: WorkflowSummary[];
  onAction: (action: RowAction, workflow: WorkflowSummary) => void;
}

export function WorkflowTable({ workflows, onAction }: Props) {
  return (
    <ListTable
      label="Workflows"
      highlightOnHover
      head={
        <>
          <Table.Th>Name</Table.Th>
          <Table.Th className={classes.numberColumn}>Nodes</Table.Th>
          <Table.Th className={classes.dateColumn}>Updated</Table.Th>
          <Table.Th className={classes.actionsColumn}>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </>
      }
    >
      {workflows.map((workflow) => (
        <WorkflowRow key={workflow.id} workflow={workflow} onAction={onAction} />
      ))}
    </ListTable>
  );
}

function WorkflowRow({ workflow, onAction }: { workflow: WorkflowSummary; onAction: Props['onAction'] }) {
  const act = (action: RowAction) => () => onAction(action, workflow);
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor
          component={Link}
          to={`/workflows/${workflow.id}`}
          fw={600}
          c="dark.7"
          className={classes.nameLink}
        >
          {workflow.name}
        </Anchor>
        {workflow.description ? (
          <Text size="xs" c="dimmed" lineClamp={1} mt={2}>
            {workflow.description}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td className={classes.numberColumn}>
        <Badge variant="light" color="gray" radius="sm" aria-label={`${workflow.node_count} nodes`}>
          {workflow.node_count}
        </Badge>
      </Table.Td>
      <Table.Td className={classes.dateColumn}>
        <Tooltip label={formatDateTime(workflow.updated_at)}>
          <Text size="sm" c="dimmed" component="time" dateTime={workflow.updated_at}>
            {formatRelativeTime(workflow.updated_at)}
          </Text>
        </Tooltip>
      </Table.Td>
      <Table.Td className={classes.actionsColumn}>
        <Menu position="bottom-end" width={180}>
          <Menu.Target>
            <ActionIcon aria-label={`Actions for ${workflow.name}`} size="md">
              <MoreHorizontal size={18} />
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item
              component={Link}
              to={`/workflows/${workflow.id}`}
              leftSection={<SquareArrowOutUpRight size={15} />}
            >
              Open
            </Menu.Item>
            <Menu.Item leftSection={<Pencil size={15} />} onClick={act('rename')}>
              Rename
            </Menu.Item>
            <Menu.Item leftSection={<Copy size={15} />} onClick={act('duplicate')}>
              Duplicate
            </Menu.Item>
            <Menu.Item leftSection={<Download size={15} />} onClick={act('export')}>
              Export
            </Menu.Item>
            <Menu.Divider />
            <Menu.Item color="red" leftSection={<Trash2 size={15} />} onClick={act('delete')}>
              Delete
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Table.Td>
    </Table.Tr>
  );
}
