import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { toApiError } from '../../api/errors';
import type { WorkflowDocument } from '../../api/types';
import { singleMe, apiTable } from '../../auth/fakeApi.test-util';
import { EditorStoreProvider, useEditorStore } from '../../canvas/context';
import { secretsToMove } from '../../canvas/secretMoves';
import { catalogue } from '../../test/catalogue';
import { json, stubFetch } from '../../test/render';
import { theme } from '../../theme';
import { SecretRefusal } from './SecretRefusal';

const KEY = 'sk-proj-Ab3d_Ef6h-Ij9kLm2nOp5qRs8tUv1wXy4z';
const SLOW = 20_000; // typing and modals are slow in jsdom on a busy machine

const document: WorkflowDocument = {
  format: 'nodeloom.workflow',
  version: 1,
  name: 'Support answers',
  nodes: [
    {
      id: 'p',
      type: 'prompt.template',
      label: 'Risky prompt',
      position: { x: 0, y: 0 },
      params: { template: `Use ${KEY} for {question}` },
    },
  ],
  edges: [],
};

const refusal = toApiError(
  { status: 422, statusText: 'Unprocessable Content' },
  {
    type: 'https://nodeloom.dev/problems/secret_in_params',
    title: 'Secret in node params',
    status: 422,
    detail: "Not saved: 'Risky prompt' holds what looks like a secret.",
    errors: [
      {
        code: 'secret_in_params',
        message: "Node 'Risky prompt' (Prompt template) holds what looks like an OpenAI API key in template.",
        pointer: '/nodes/0/params/template',
        node_id: 'p',
        node_title: 'Risky prompt',
        param: '/template',
        kind: 'openai_key',
        provider: 'openai',
        start: 4,
        end: 4 + KEY.length,
        action: 'store_as_credential',
      },
    ],
  },
);

function Template() {
  const template = useEditorStore((state) => state.nodes[0]?.data.params.template);
  return <output data-testid="template">{String(template)}</output>;
}

function renderRefusal(canStore: boolean, onMoved = vi.fn()) {
  const secrets = secretsToMove(refusal, document, (type) => catalogue.byType.get(type)?.paramsSchema);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <MantineProvider theme={theme} env="test">
      <QueryClientProvider client={queryClient}>
        <EditorStoreProvider initial={{ version: 1, document }} catalogue={catalogue}>
          <SecretRefusal secrets={secrets} canStore={canStore} onMoved={onMoved} />
          <Template />
        </EditorStoreProvider>
      </QueryClientProvider>
    </MantineProvider>,
  );
  return onMoved;
}

describe('SecretRefusal', () => {
  it(
    'stores the value as a credential in one click and takes it out of the node',
    async () => {
      const { requests } = stubFetch(
        apiTable({
          'GET /auth/me': singleMe(),
          'GET /credentials': json([
            {
              id: 'c1',
              name: 'openai-support-answers',
              provider: 'openai',
              last4: 'zzzz',
              base_url: null,
              created_at: '2026-01-01T10:00:00Z',
              updated_at: '2026-01-01T10:00:00Z',
            },
          ]),
          'POST /credentials': async (request) =>
            json(
              {
                ...(await request.json()),
                id: 'c2',
                last4: KEY.slice(-4),
                base_url: null,
                created_at: '2026-01-02T10:00:00Z',
                updated_at: '2026-01-02T10:00:00Z',
              },
              { status: 201 },
            ),
        }),
      );
      const onMoved = renderRefusal(true);
      const list = screen.getByRole('list', { name: 'Secrets in node params' });
      expect(list).toHaveTextContent('Risky prompt · template');
      expect(list).toHaveTextContent('looks like an OpenAI API key');
      expect(list).not.toHaveTextContent(KEY);
      await waitFor(() =>
        expect(requests.some((request) => request.url.endsWith('/credentials'))).toBe(true),
      );

      await userEvent.click(screen.getByRole('button', { name: /Store as credential/ }));

      const dialog = await screen.findByRole('dialog', { name: 'Add a credential' });
      expect(within(dialog).getByRole('textbox', { name: 'Name' })).toHaveValue('openai-support-answers-2');
      expect(within(dialog).getByLabelText(/^API key/, { selector: 'input' })).toHaveValue(KEY);
      await userEvent.click(within(dialog).getByRole('button', { name: 'Add credential' }));

      await waitFor(() => expect(onMoved).toHaveBeenCalledTimes(1));
      const posted = requests.find((request) => request.method === 'POST')!;
      expect(await posted.json()).toEqual({
        name: 'openai-support-answers-2',
        provider: 'openai',
        secret: KEY,
      });
      expect(screen.getByTestId('template')).toHaveTextContent('Use for {question}');
    },
    SLOW,
  );

  it('offers no credential to someone who may not keep one (an edit link visitor)', () => {
    stubFetch(apiTable({ 'GET /auth/me': singleMe() }));
    renderRefusal(false);
    expect(screen.getByText(/Only the owner can keep it in a credential/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Store as credential/ })).not.toBeInTheDocument();
  });
});
