import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { json, problem, renderRoute, stubFetch } from '../test/render';

const summary = (id: string, name: string, nodeCount: number, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  description: '',
  version: 3,
  node_count: nodeCount,
  created_at: '2026-01-01T10:00:00Z',
  updated_at: new Date(Date.now() - 5 * 60_000).toISOString(),
  ...extra,
});

const page = (items: unknown[]) => json({ items, total: items.length, limit: 25, offset: 0 });

describe('WorkflowListPage', () => {
  it('lists workflows with name, node count and updated time', async () => {
    stubFetch(() =>
      page([
        summary('w1', 'Support answers', 4, { description: 'RAG over the help centre' }),
        summary('w2', 'Résumé triage 🤖', 0),
      ]),
    );
    renderRoute('/');

    const table = await screen.findByRole('table', { name: 'Workflows' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByRole('link', { name: 'Support answers' })).toHaveAttribute(
      'href',
      '/workflows/w1',
    );
    expect(within(rows[0]!).getByText('RAG over the help centre')).toBeInTheDocument();
    expect(within(rows[0]!).getByLabelText('4 nodes')).toBeInTheDocument();
    expect(within(rows[0]!).getByText('5 minutes ago')).toBeInTheDocument();
    expect(within(rows[1]!).getByRole('link', { name: 'Résumé triage 🤖' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Actions for Support answers' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'New workflow' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Import' })).toBeInTheDocument();
    expect(screen.getByText('2 workflows')).toBeInTheDocument();
  });

  it('shows the empty state when there are no workflows', async () => {
    stubFetch(() => page([]));
    renderRoute('/');
    expect(await screen.findByRole('heading', { name: 'Build your first workflow' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Create your first workflow' })).toBeInTheDocument();
  });

  it('shows a readable error with a retry when the list fails', async () => {
    stubFetch(() =>
      problem({ title: 'Service unavailable', status: 503, detail: 'The database is not answering.' }),
    );
    renderRoute('/');
    expect(await screen.findByText('Could not load workflows')).toBeInTheDocument();
    expect(screen.getByText('The database is not answering.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('searches by name through ?q= after typing settles', async () => {
    const { requests } = stubFetch(() => page([]));
    const { router } = renderRoute('/?sort=name_asc');
    await screen.findByRole('heading', { name: 'Build your first workflow' });

    await userEvent.type(screen.getByRole('searchbox', { name: 'Search workflows' }), 'support');
    await waitFor(() => expect(router.state.location.search).toContain('q=support'), { timeout: 2000 });
    await waitFor(() => {
      const urls = requests.map((request) => new URL(request.url));
      const last = urls.at(-1)!;
      expect(last.pathname).toBe('/api/v1/workflows');
      expect(last.searchParams.get('q')).toBe('support');
      expect(last.searchParams.get('sort')).toBe('name_asc');
    });
    expect(await screen.findByText('No workflows match “support”')).toBeInTheDocument();
  });
});
