/** `/`: every workflow, with search, sort and the create/rename/duplicate/export/delete/import actions. */
import {
  Alert,
  Button,
  Container,
  Group,
  Pagination,
  Paper,
  Select,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { CircleAlert, Plus, Search, SearchX } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';

import { errorMessage } from '../api/errors';
import type { Workflow, WorkflowSummary } from '../api/types';
import { exportWorkflow, useDuplicateWorkflow, useWorkflowList } from '../api/workflows';
import { showExportFailure } from '../exchange/exportFailure';
import { saveBlob } from '../lib/download';
import { CreateWorkflowModal } from './workflow-list/CreateWorkflowModal';
import { DeleteWorkflowModal } from './workflow-list/DeleteWorkflowModal';
import { EmptyState } from './workflow-list/EmptyState';
import { ImportButton } from './workflow-list/ImportButton';
import classes from './workflow-list/list.module.css';
import { RenameWorkflowModal } from './workflow-list/RenameWorkflowModal';
import { PAGE_SIZE, SORT_OPTIONS, useListParams } from './workflow-list/useListParams';
import { WorkflowTable, type RowAction } from './workflow-list/WorkflowTable';

export function WorkflowListPage() {
  const navigate = useNavigate();
  const [params, setParams] = useListParams();
  const [search, setSearch] = useState(params.q);
  const [debouncedSearch] = useDebouncedValue(search, 300);
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<WorkflowSummary | null>(null);
  const [deleting, setDeleting] = useState<WorkflowSummary | null>(null);
  const duplicate = useDuplicateWorkflow();

  useEffect(() => {
    if (debouncedSearch.trim() !== params.q) setParams({ q: debouncedSearch });
    // Only a settled search text should touch the URL.
  }, [debouncedSearch]);

  const list = useWorkflowList({
    q: params.q || undefined,
    sort: params.sort,
    limit: PAGE_SIZE,
    offset: (params.page - 1) * PAGE_SIZE,
  });

  const openEditor = (workflow: Workflow) => navigate(`/workflows/${workflow.id}`);

  const onAction = (action: RowAction, workflow: WorkflowSummary) => {
    switch (action) {
      case 'rename':
        return setRenaming(workflow);
      case 'delete':
        return setDeleting(workflow);
      case 'duplicate':
        return duplicate.mutate(workflow.id, {
          onSuccess: (copy) => notifications.show({ color: 'teal', message: `Duplicated as “${copy.name}”` }),
          onError: (error) =>
            notifications.show({ color: 'red', title: 'Could not duplicate', message: errorMessage(error) }),
        });
      case 'export':
        return void exportWorkflow(workflow.id, workflow.name)
          .then(({ blob, filename }) => saveBlob(blob, filename))
          .catch(showExportFailure);
    }
  };

  const page = list.data;
  const filtering = params.q !== '';
  const pageCount = page ? Math.max(1, Math.ceil(page.total / PAGE_SIZE)) : 1;

  return (
    <Container size="xl" py="xl">
      <Stack gap="lg">
        <Group justify="space-between" align="flex-end">
          <div>
            <Title order={1}>Workflows</Title>
            <Text c="dimmed" size="md" mt={4}>
              {subtitle(page?.total, filtering)}
            </Text>
          </div>
          <Group gap="sm">
            <ImportButton onImported={openEditor} />
            <Button leftSection={<Plus size={16} />} onClick={() => setCreating(true)}>
              New workflow
            </Button>
          </Group>
        </Group>

        <div className={classes.toolbar}>
          <TextInput
            className={classes.search}
            placeholder="Search by name"
            aria-label="Search workflows"
            leftSection={<Search size={16} />}
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            type="search"
          />
          <Select
            className={classes.sort}
            aria-label="Sort by"
            data={SORT_OPTIONS}
            value={params.sort}
            onChange={(value) => value && setParams({ sort: value as typeof params.sort })}
            allowDeselect={false}
            checkIconPosition="right"
          />
        </div>

        {list.isPending ? (
          <LoadingRows />
        ) : list.isError ? (
          <Alert
            color="red"
            variant="light"
            icon={<CircleAlert size={18} />}
            title="Could not load workflows"
          >
            <Text size="sm">{errorMessage(list.error)}</Text>
            <Button mt="sm" size="xs" variant="default" onClick={() => void list.refetch()}>
              Try again
            </Button>
          </Alert>
        ) : page && page.items.length > 0 ? (
          <WorkflowTable workflows={page.items} onAction={onAction} />
        ) : filtering ? (
          <Paper withBorder className={classes.empty}>
            <SearchX size={36} strokeWidth={1.6} aria-hidden />
            <Title order={4} mt="md">
              No workflows match “{params.q}”
            </Title>
            <Button mt="md" variant="default" onClick={() => setSearch('')}>
              Clear search
            </Button>
          </Paper>
        ) : (
          <EmptyState onCreate={() => setCreating(true)} />
        )}

        {pageCount > 1 && (
          <Group justify="center">
            <Pagination
              total={pageCount}
              value={params.page}
              onChange={(value) => setParams({ page: value })}
              getControlProps={(control) => ({ 'aria-label': `${control} page` })}
            />
          </Group>
        )}
      </Stack>

      <CreateWorkflowModal opened={creating} onClose={() => setCreating(false)} onCreated={openEditor} />
      <RenameWorkflowModal workflow={renaming} onClose={() => setRenaming(null)} />
      <DeleteWorkflowModal workflow={deleting} onClose={() => setDeleting(null)} />
    </Container>
  );
}

function subtitle(total: number | undefined, filtering: boolean): string {
  if (!total) return 'Design, save and share AI workflows.';
  const noun = total === 1 ? 'workflow' : 'workflows';
  return filtering ? `${total} matching ${noun}` : `${total} ${noun}`;
}

function LoadingRows() {
  return (
    <Paper withBorder radius="lg" p="lg" aria-busy="true" aria-label="Loading workflows">
      <Stack gap="md">
        {[0, 1, 2, 3].map((row) => (
          <Group key={row} justify="space-between">
            <Skeleton height={14} width="40%" radius="sm" />
            <Skeleton height={14} width={120} radius="sm" />
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}
