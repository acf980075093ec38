import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { accountsMe, apiTable, user } from '../auth/fakeApi.test-util';
import { wireCatalogue } from '../test/catalogue';
import { json, problem, renderRoute, stubFetch } from '../test/render';
import { theme } from '../theme';
import { ShareDialog } from './ShareDialog';
import { expiresAt, linkState } from './scopes';
import {
  FakeSocket,
  LAZY,
  link,
  listedRun,
  run,
  sharedRuns,
  SLOW,
  stubFontFaces,
  workflow,
} from './share.fixtures.test-util';

function renderDialog() {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  return render(
    <MantineProvider theme={theme} env="test">
      <QueryClientProvider client={queryClient}>
        <ShareDialog workflowId="w1" workflowName="Support answers" opened onClose={() => {}} />
      </QueryClientProvider>
    </MantineProvider>,
  );
}

describe('ShareDialog', () => {
  it(
    'creates a run link with an expiry and a run limit, and shows its URL once',
    async () => {
      let links = [link('1', 'view', { revoked_at: '2026-01-01T00:00:00Z' })];
      const { requests } = stubFetch(
        apiTable({
          'GET /workflows/w1/share-links': () => json(links),
          'POST /workflows/w1/share-links': () => {
            const created = link('2', 'run', { run_limit_per_hour: 5 });
            links = [...links, created];
            return json(
              { ...created, token: 'secret-token-abc', url: '/s/secret-token-abc' },
              { status: 201 },
            );
          },
        }),
      );
      renderDialog();
      const dialog = await screen.findByRole('dialog', { name: 'Share “Support answers”' });
      expect(
        await within(dialog).findByRole('listitem', { name: /View link tok1, revoked/ }),
      ).toBeInTheDocument();
      await userEvent.click(within(dialog).getByText('Run'));
      await userEvent.click(within(dialog).getByLabelText('Expiry', { selector: 'input' }));
      await userEvent.click(await screen.findByRole('option', { name: 'Expires in 7 days' }));
      const limit = within(dialog).getByLabelText('Runs per hour');
      await userEvent.clear(limit);
      await userEvent.type(limit, '5');
      await userEvent.click(within(dialog).getByRole('button', { name: 'Create run link' }));

      expect(await within(dialog).findByTestId('secret-once')).toHaveValue(
        `${window.location.origin}/s/secret-token-abc`,
      );
      const post = requests.find((request) => request.method === 'POST')!;
      const body = (await post.json()) as Record<string, unknown>;
      expect(body.scope).toBe('run');
      expect(body.run_limit_per_hour).toBe(5);
      expect(body.show_owner_latest_run).toBe(false); // visitors see only their own runs
      const days = (Date.parse(String(body.expires_at)) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
      expect(days).toBeLessThanOrEqual(7);
      // The new link is listed, active, and can be copied while the dialog is open.
      const row = await within(dialog).findByRole('listitem', { name: /Run link tok2, active/ });
      expect(within(row).getByRole('button', { name: 'Copy link' })).toBeEnabled();
    },
    SLOW,
  );

  it('revokes a link once the owner confirms', async () => {
    let revoked = false;
    const { requests } = stubFetch(
      apiTable({
        'GET /workflows/w1/share-links': () =>
          json([link('1', 'view', revoked ? { revoked_at: new Date().toISOString() } : {})]),
        'DELETE /share-links/1': () => {
          revoked = true;
          return new Response(null, { status: 204 });
        },
      }),
    );
    renderDialog();
    const row = await screen.findByRole('listitem', { name: /View link tok1, active/ });
    // A link made before this dialog opened cannot be copied: its token was shown once.
    expect(within(row).getByRole('button', { name: 'Copy link (no longer available)' })).toBeDisabled();
    await userEvent.click(within(row).getByRole('button', { name: 'Revoke' }));
    const ask = await screen.findByRole('dialog', { name: 'Revoke this view link?' });
    await userEvent.click(within(ask).getByRole('button', { name: 'Keep it' }));
    expect(requests.some((request) => request.method === 'DELETE')).toBe(false);
    await userEvent.click(within(row).getByRole('button', { name: 'Revoke' }));
    const again = await screen.findByRole('dialog', { name: 'Revoke this view link?' });
    await userEvent.click(within(again).getByRole('button', { name: 'Revoke link' }));
    expect(await screen.findByRole('listitem', { name: /View link tok1, revoked/ })).toBeInTheDocument();
    expect(requests.some((request) => request.method === 'DELETE')).toBe(true);
  });

  it(
    'lets the owner show their latest run on a new link, and switch it on an existing one',
    async () => {
      let links = [link('1', 'run')];
      const { requests } = stubFetch(
        apiTable({
          'GET /workflows/w1/share-links': () => json(links),
          'POST /workflows/w1/share-links': () => {
            const created = link('2', 'view', { show_owner_latest_run: true });
            links = [...links, created];
            return json({ ...created, token: 'tok-2', url: '/s/tok-2' }, { status: 201 });
          },
          'PATCH /share-links/1': async (request) => {
            const change = (await request.json()) as { show_owner_latest_run: boolean };
            links = links.map((item) => (item.id === '1' ? { ...item, ...change } : item));
            return json(links.find((item) => item.id === '1'));
          },
        }),
      );
      renderDialog();
      const dialog = await screen.findByRole('dialog', { name: 'Share “Support answers”' });
      const row = await within(dialog).findByRole('listitem', { name: /Run link tok1, active/ });
      const rowSwitch = within(row).getByRole('switch', { name: 'Visitors also see my latest run' });
      expect(rowSwitch).not.toBeChecked(); // off unless the owner says so
      await userEvent.click(rowSwitch);
      await waitFor(() => expect(rowSwitch).toBeChecked());
      const patch = requests.find((request) => request.method === 'PATCH')!;
      expect(await patch.json()).toEqual({ show_owner_latest_run: true });

      const create = within(dialog).getByRole('switch', { name: 'Show my latest run to visitors' });
      expect(create).not.toBeChecked();
      await userEvent.click(create);
      await userEvent.click(within(dialog).getByRole('button', { name: 'Create view link' }));
      await within(dialog).findByTestId('secret-once');
      const post = requests.find((request) => request.method === 'POST')!;
      expect(((await post.json()) as Record<string, unknown>).show_owner_latest_run).toBe(true);
    },
    SLOW,
  );

  it('works out expiry times and link states', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(expiresAt('never', now)).toBeUndefined();
    expect(expiresAt('1h', now)).toBe('2026-03-01T13:00:00.000Z');
    expect(linkState({ revoked_at: null, expires_at: '2026-03-01T11:00:00Z' }, now)).toBe('expired');
    expect(linkState({ revoked_at: '2026-03-01T10:00:00Z', expires_at: null }, now)).toBe('revoked');
    expect(linkState({ revoked_at: null, expires_at: null }, now)).toBe('active');
  });
});

describe('SharedPage', () => {
  beforeAll(stubFontFaces);

  afterEach(() => {
    vi.unstubAllGlobals();
    FakeSocket.urls = [];
  });

  it('shows "This link no longer works" for a dead link', async () => {
    stubFetch(
      apiTable({
        'GET /auth/me': accountsMe(null),
        'GET /node-types': json(wireCatalogue),
        'GET /shared/dead': problem({
          type: 'https://nodeloom.dev/problems/link_not_found',
          title: 'Link not found',
          status: 404,
        }),
      }),
    );
    renderRoute('/s/dead');
    expect(
      await screen.findByRole('heading', { name: 'This link no longer works' }, { timeout: LAZY }),
    ).toBeInTheDocument();
  });

  it('opens a view link read-only for an anonymous visitor: no palette, no save, no run', async () => {
    stubFetch(
      apiTable({
        'GET /auth/me': accountsMe(null),
        'GET /node-types': json(wireCatalogue),
        'GET /shared/tok': json({ scope: 'view', workflow, owner_name: 'Ada Lovelace' }),
        'GET /shared/tok/runs': json(sharedRuns()),
      }),
    );
    const { router } = renderRoute('/s/tok');
    expect(
      await screen.findByRole('heading', { name: 'Support answers' }, { timeout: LAZY }),
    ).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/s/tok');
    expect(screen.getByText('View only')).toBeInTheDocument();
    expect(screen.getByText('Shared by Ada Lovelace')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Sign in to duplicate' })).toHaveAttribute(
      'href',
      '/login?next=%2Fs%2Ftok',
    );
    expect(screen.queryByRole('button', { name: /Save/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Run' })).not.toBeInTheDocument();
    expect(screen.queryByRole('complementary', { name: 'Node palette' })).not.toBeInTheDocument();
    expect(screen.queryByRole('toolbar', { name: 'Canvas tools' })).not.toBeInTheDocument();
    expect(screen.getByTestId('shared-view')).toHaveAttribute('data-scope', 'view');
  });

  it(
    'runs a run link through the link and follows it on the link’s socket',
    async () => {
      vi.stubGlobal('WebSocket', FakeSocket);
      const { requests } = stubFetch(
        apiTable({
          'GET /auth/me': accountsMe(null),
          'GET /node-types': json(wireCatalogue),
          'GET /shared/tok': json({ scope: 'run', workflow, owner_name: 'Ada' }),
          'GET /shared/tok/runs': json(sharedRuns()),
          'POST /shared/tok/runs': json(run, { status: 202 }),
        }),
      );
      renderRoute('/s/tok');
      await userEvent.click(await screen.findByRole('button', { name: 'Run' }, { timeout: LAZY }));
      const dialog = await screen.findByRole('dialog');
      await userEvent.type(within(dialog).getByLabelText(/question/), 'Where is my parcel?');
      await userEvent.click(within(dialog).getByRole('button', { name: /Run/ }));
      await waitFor(() => expect(FakeSocket.urls).toHaveLength(1));
      expect(FakeSocket.urls[0]).toMatch(/\/api\/v1\/shared\/tok\/runs\/r1\/events\?after=-1$/);
      const post = requests.find((request) => request.method === 'POST')!;
      expect(await post.json()).toEqual({ inputs: { question: 'Where is my parcel?' } });
    },
    SLOW,
  );

  it(
    'duplicates a shared workflow into a signed-in visitor’s workspace',
    async () => {
      const { requests } = stubFetch(
        apiTable({
          'GET /auth/me': accountsMe(user),
          'GET /node-types': json(wireCatalogue),
          'GET /shared/tok': json({ scope: 'view', workflow, owner_name: 'Ada' }),
          'GET /shared/tok/runs': json(sharedRuns()),
          'POST /shared/tok/duplicate': json(
            { ...workflow, id: 'w2', name: 'Support answers (copy)' },
            { status: 201 },
          ),
        }),
      );
      const { router } = renderRoute('/s/tok');
      await userEvent.click(
        await screen.findByRole('button', { name: 'Duplicate to my workspace' }, { timeout: LAZY }),
      );
      await waitFor(() => expect(router.state.location.pathname).toBe('/workflows/w2'));
      expect(requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    },
    SLOW,
  );

  it('shows the owner’s latest run of a view link that shows it, from the link’s socket', async () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    stubFetch(
      apiTable({
        'GET /auth/me': accountsMe(user),
        'GET /node-types': json(wireCatalogue),
        'GET /shared/tok': json({ scope: 'view', workflow, owner_name: 'Ada' }),
        'GET /shared/tok/runs': json(sharedRuns([], listedRun('r1', 7, 'succeeded'))),
      }),
    );
    renderRoute('/s/tok');
    await waitFor(() => expect(FakeSocket.urls).toHaveLength(1), { timeout: LAZY });
    expect(FakeSocket.urls[0]).toContain('/api/v1/shared/tok/runs/r1/events');
    expect(screen.getByRole('button', { name: 'Duplicate to my workspace' })).toBeInTheDocument();
  });
});
