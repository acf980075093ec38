import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { configure, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { ApiError } from '../api/errors';
import { apiTable, emptyPage, singleMe } from '../auth/fakeApi.test-util';
import { json, problem, renderRoute, stubFetch } from '../test/render';
import { theme } from '../theme';
import type { ImportPreview } from './api';
import { showExportFailure } from './exportFailure';
import { ImportDialog, type PreviewedFile } from './ImportDialog';
import { JsonFileDrop } from './JsonFileDrop';

const SLOW = 20_000;
// Modals and selects are slow in jsdom on a busy machine (this file's workers only).
configure({ asyncUtilTimeout: 5000 });

const preview = (extra: Partial<ImportPreview> = {}): ImportPreview => ({
  source_format: 'langflow',
  document: {
    format: 'nodeloom.workflow',
    version: 1,
    name: 'Support prompting',
    description: '',
    nodes: [
      { id: 'in', type: 'io.input', position: { x: 0, y: 0 }, params: { name: 'question' } },
      { id: 'p', type: 'prompt.template', label: 'Prompt', position: { x: 1, y: 0 }, params: {} },
      {
        id: 'llm',
        type: 'model.chat',
        position: { x: 2, y: 0 },
        params: { credential: { $credential: 'openai' } },
      },
      { id: 'URL-1', type: 'ui.note', position: { x: 3, y: 0 }, params: { text: '**URL**' } },
    ],
    edges: [{ id: 'e1', source: 'in', sourceHandle: 'value', target: 'p', targetHandle: 'question' }],
    viewport: { x: 0, y: 0, zoom: 1 },
    credentials: [{ name: 'openai', provider: 'openai' }],
  },
  credentials_needed: [{ name: 'openai', provider: 'openai', mapped_to: null }],
  notes: ["'Help centre pages' (URL) has no Nodeloom counterpart: it became a sticky note."],
  problems: [
    {
      code: 'missing_required_input',
      severity: 'error',
      pointer: '/nodes/1',
      node_id: 'p',
      edge_id: null,
      message: "Prompt: connect its input 'references'.",
    },
  ],
  ...extra,
});

const credential = (name: string, provider: string) => ({
  id: name,
  name,
  provider,
  last4: 'x9Qz',
  base_url: null,
  created_at: '2026-01-01T10:00:00Z',
  updated_at: '2026-01-01T10:00:00Z',
});

const workflow = (id: string) => ({
  id,
  name: 'Support prompting',
  description: '',
  version: 1,
  node_count: 4,
  runnable: false,
  created_at: '2026-01-01T10:00:00Z',
  updated_at: '2026-01-01T10:00:00Z',
  document: preview().document,
  problems: [],
});

function renderDialog(file: PreviewedFile, onImported = vi.fn(), onClose = vi.fn()) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <MantineProvider theme={theme} env="test">
      <QueryClientProvider client={queryClient}>
        <ImportDialog file={file} onClose={onClose} onImported={onImported} />
      </QueryClientProvider>
    </MantineProvider>,
  );
  return { onImported, onClose };
}

const file = (extra: Partial<ImportPreview> = {}): PreviewedFile => ({
  fileName: 'support.json',
  source: { name: 'Support prompting', data: { nodes: [] } },
  preview: preview(extra),
});

describe('ImportDialog', { timeout: SLOW }, () => {
  it('shows the format, what will be created, the notes and each problem with its node', async () => {
    stubFetch(apiTable({ 'GET /credentials': json([]) }));
    renderDialog(file());

    const dialog = await screen.findByRole('dialog', { name: 'Import workflow' });
    expect(within(dialog).getByLabelText('Detected format')).toHaveTextContent('Langflow');
    expect(dialog).toHaveTextContent('Creates a new workflow with 3 steps, 1 note and 1 connection.');
    const notes = within(dialog).getByRole('list', { name: 'Import notes' });
    expect(notes).toHaveTextContent('it became a sticky note');
    const problems = within(within(dialog).getByRole('list', { name: 'Problems' })).getAllByRole('listitem');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toHaveTextContent("Prompt: connect its input 'references'.");
  });

  it(
    'maps a needed credential to one of the person’s own and imports the mapped document',
    async () => {
      const mapped = preview();
      mapped.document.nodes![2]!.params = { credential: { $credential: 'team-openai' } };
      const { requests } = stubFetch(
        apiTable({
          'GET /credentials': json([credential('team-openai', 'openai'), credential('claude', 'anthropic')]),
          'POST /workflows/import/preview': json(mapped),
          'POST /workflows/import': json(workflow('w9'), { status: 201 }),
        }),
      );
      const { onImported } = renderDialog(file());

      const select = await screen.findByRole('combobox', { name: 'Credential for openai' });
      await waitFor(() => expect(select).toBeEnabled());
      await userEvent.click(select);
      await userEvent.click(await screen.findByRole('option', { name: /team-openai/ }));
      await userEvent.click(screen.getByRole('button', { name: 'Import' }));

      await waitFor(() => expect(onImported).toHaveBeenCalledWith(expect.objectContaining({ id: 'w9' })), {
        timeout: 5000,
      });
      const previewBody = await requests.find((r) => r.url.endsWith('/import/preview'))!.json();
      expect(previewBody.credential_map).toEqual({ openai: 'team-openai' });
      const imported = await requests.find((r) => r.url.endsWith('/workflows/import'))!.json();
      expect(imported.nodes[2].params.credential).toEqual({ $credential: 'team-openai' });
    },
    SLOW,
  );

  it('still imports when the credentials list cannot be loaded (404), keeping the names', async () => {
    const { requests } = stubFetch(
      apiTable({
        'POST /workflows/import/preview': json(preview()),
        'POST /workflows/import': json(workflow('w1'), { status: 201 }),
      }),
    );
    const { onImported } = renderDialog(file());

    expect(await screen.findByText(/Your credentials could not be loaded/)).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Credential for openai' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Import' }));

    await waitFor(() => expect(onImported).toHaveBeenCalled(), { timeout: 5000 });
    const previewBody = await requests.find((r) => r.url.endsWith('/import/preview'))!.json();
    expect(previewBody.credential_map).toEqual({});
  });

  it('says so when the import fails and keeps the dialog open', async () => {
    stubFetch(
      apiTable({
        'GET /credentials': json([]),
        'POST /workflows/import/preview': json(preview()),
        'POST /workflows/import': problem({
          title: 'Secrets in the workflow',
          status: 422,
          detail: "Refusing to import: 'Prompt' holds what looks like a secret.",
        }),
      }),
    );
    const { onImported } = renderDialog(file());

    await userEvent.click(await screen.findByRole('button', { name: 'Import' }));

    expect(
      await screen.findByText("Refusing to import: 'Prompt' holds what looks like a secret."),
    ).toBeInTheDocument();
    expect(onImported).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog', { name: 'Import workflow' })).toBeInTheDocument();
  });
});

describe('importing from the list page', { timeout: SLOW }, () => {
  it(
    'previews a picked Langflow file, then opens the imported workflow',
    async () => {
      const { requests } = stubFetch(
        apiTable({
          'GET /auth/me': singleMe(),
          'GET /workflows': emptyPage(),
          'GET /credentials': json([]),
          'POST /workflows/import/preview': json(preview()),
          'POST /workflows/import': json(workflow('abc'), { status: 201 }),
          'GET /workflows/abc': json(workflow('abc')),
        }),
      );
      const { router, container } = renderRoute('/');
      await screen.findByRole('button', { name: 'Import' });

      const input = container.ownerDocument.querySelector('input[type=file]') as HTMLInputElement;
      const source = JSON.stringify({ name: 'Support prompting', data: { nodes: [] } });
      await userEvent.upload(input, new File([source], 'support.json', { type: 'application/json' }));

      const dialog = await screen.findByRole('dialog', { name: 'Import workflow' });
      const first = await requests.find((r) => r.url.endsWith('/import/preview'))!.json();
      expect(first.source).toEqual({ name: 'Support prompting', data: { nodes: [] } });
      await userEvent.click(within(dialog).getByRole('button', { name: 'Import' }));
      await waitFor(() => expect(router.state.location.pathname).toBe('/workflows/abc'), { timeout: 5000 });
    },
    SLOW,
  );

  it('lists the problems when the server refuses the file', async () => {
    stubFetch(
      apiTable({
        'GET /auth/me': singleMe(),
        'GET /workflows': emptyPage(),
        'POST /workflows/import/preview': problem({
          title: 'Unknown import format',
          status: 422,
          detail: 'The file is a JSON object, but not a workflow any of them writes.',
          errors: [{ code: 'unknown_import_format', message: 'Not a workflow.', pointer: '/source' }],
        }),
      }),
    );
    const { container } = renderRoute('/');
    await screen.findByRole('button', { name: 'Import' });

    const input = container.ownerDocument.querySelector('input[type=file]') as HTMLInputElement;
    await userEvent.upload(input, new File(['{"hello": 1}'], 'other.json', { type: 'application/json' }));

    const dialog = await screen.findByRole('dialog', { name: 'Import failed' });
    expect(dialog).toHaveTextContent('not a workflow any of them writes');
    expect(within(dialog).getByRole('list', { name: 'Problems' })).toHaveTextContent('/source');
  });
});

describe('showExportFailure', () => {
  it('names every node holding a secret', async () => {
    render(
      <MantineProvider theme={theme} env="test">
        <Notifications />
      </MantineProvider>,
    );
    showExportFailure(
      new ApiError({
        status: 422,
        title: 'Secrets in the workflow',
        type: 'https://nodeloom.dev/problems/secrets_in_document',
        errors: [
          {
            code: 'secret_in_params',
            pointer: '/nodes/1/params/template',
            message:
              "Node 'Risky prompt' (Prompt template) holds what looks like an OpenAI API key in template.",
          },
        ],
      }),
    );

    expect(await screen.findByText('Export refused: the workflow holds secrets')).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Nodes holding secrets' })).toHaveTextContent(
      "Node 'Risky prompt' (Prompt template)",
    );
  });
});

describe('JsonFileDrop', () => {
  const renderDrop = (onFile: (file: File) => void) =>
    render(
      <MantineProvider theme={theme} env="test">
        <JsonFileDrop onFile={onFile} />
      </MantineProvider>,
    );

  it('shows where to drop while a file is dragged, and hands over the dropped JSON file', async () => {
    const onFile = vi.fn();
    renderDrop(onFile);
    const picture = new File(['png'], 'cat.png', { type: 'image/png' });
    const flow = new File(['{}'], 'flow.json', { type: 'application/json' });

    fireEvent.dragEnter(document.body, { dataTransfer: { types: ['Files'], files: [] } });
    expect(await screen.findByText('Drop a workflow file to import it')).toBeInTheDocument();
    fireEvent.drop(document.body, { dataTransfer: { types: ['Files'], files: [picture, flow] } });

    expect(onFile).toHaveBeenCalledWith(flow);
    await waitFor(() => expect(screen.queryByText('Drop a workflow file to import it')).toBeNull());
  });

  it('leaves drags without files (palette items) alone', () => {
    const onFile = vi.fn();
    renderDrop(onFile);

    fireEvent.dragEnter(document.body, { dataTransfer: { types: ['application/x-nodeloom-node'] } });
    fireEvent.drop(document.body, { dataTransfer: { types: ['application/x-nodeloom-node'], files: [] } });

    expect(screen.queryByText('Drop a workflow file to import it')).toBeNull();
    expect(onFile).not.toHaveBeenCalled();
  });
});
