import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';

import { accountsMe, apiTable, user } from '../auth/fakeApi.test-util';
import { SchemaForm } from '../schema-form/SchemaForm';
import { json, renderRoute, stubFetch } from '../test/render';
import { theme } from '../theme';
import { CredentialPicker } from './CredentialPicker';
import { CredentialsOwnedBy } from './ownerCredentials';

const credential = (id: string, name: string, provider: string, last4: string, extra = {}) => ({
  id,
  name,
  provider,
  last4,
  base_url: null,
  created_at: '2026-01-01T10:00:00Z',
  updated_at: new Date(Date.now() - 3 * 60_000).toISOString(),
  ...extra,
});

// Typing into a modal is slow in jsdom on a busy machine.
const SLOW = 20_000;

describe('CredentialsPage', () => {
  it('lists credentials by name and provider, showing only the last four characters', async () => {
    stubFetch(
      apiTable({
        'GET /auth/me': accountsMe(user),
        'GET /credentials': json([
          credential('c1', 'openai', 'openai', 'x9Qz'),
          credential('c2', 'ollama', 'openai_compatible', 'abcd', { base_url: 'http://localhost:11434/v1' }),
        ]),
      }),
    );
    renderRoute('/credentials');
    const table = await screen.findByRole('table', { name: 'Credentials' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByText('openai')).toBeInTheDocument();
    expect(within(rows[0]!).getByText('OpenAI')).toBeInTheDocument();
    expect(within(rows[0]!).getByText('••••x9Qz')).toBeInTheDocument();
    expect(within(rows[1]!).getByText('http://localhost:11434/v1')).toBeInTheDocument();
    expect(within(rows[1]!).getByText('OpenAI-compatible server')).toBeInTheDocument();
  });

  it(
    'adds an OpenAI-compatible credential with its base URL',
    async () => {
      const created = credential('c3', 'local-llm', 'openai_compatible', 'ey42', {
        base_url: 'http://gpu:8000/v1',
      });
      const { requests } = stubFetch(
        apiTable({
          'GET /auth/me': accountsMe(user),
          'GET /credentials': json([]),
          'POST /credentials': json(created, { status: 201 }),
        }),
      );
      renderRoute('/credentials');
      await userEvent.click(await screen.findByRole('button', { name: 'Add your first credential' }));
      const dialog = await screen.findByRole('dialog', { name: 'Add a credential' });
      // OpenAI: a base URL is optional (a proxy); empty means OpenAI's own API.
      expect(within(dialog).getByLabelText(/Base URL/)).not.toBeRequired();
      expect(within(dialog).getByText(/The key is sent only here, or to OpenAI's API/)).toBeInTheDocument();
      await userEvent.click(within(dialog).getByLabelText('Provider', { selector: 'input' }));
      await userEvent.click(await screen.findByRole('option', { name: 'OpenAI-compatible server' }));
      expect(within(dialog).getByLabelText(/^Name/)).toHaveValue('local-llm');
      expect(within(dialog).getByLabelText(/Base URL/)).toBeRequired();
      await userEvent.type(within(dialog).getByLabelText(/Base URL/), 'http://gpu:8000/v1');
      await userEvent.type(within(dialog).getByLabelText(/API key/), 'secret-key-ey42');
      await userEvent.click(within(dialog).getByRole('button', { name: 'Add credential' }));
      await waitFor(() => expect(requests.some((request) => request.method === 'POST')).toBe(true));
      const post = requests.find((request) => request.method === 'POST')!;
      expect(await post.json()).toEqual({
        name: 'local-llm',
        provider: 'openai_compatible',
        secret: 'secret-key-ey42',
        base_url: 'http://gpu:8000/v1',
      });
      await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    },
    SLOW,
  );

  it(
    'refuses a name the server would refuse, before sending anything',
    async () => {
      const { requests } = stubFetch(
        apiTable({ 'GET /auth/me': accountsMe(user), 'GET /credentials': json([]) }),
      );
      renderRoute('/credentials');
      await userEvent.click(await screen.findByRole('button', { name: 'Add credential' }));
      const dialog = await screen.findByRole('dialog');
      const name = within(dialog).getByLabelText(/^Name/);
      await userEvent.clear(name);
      await userEvent.type(name, 'my key!');
      await userEvent.type(within(dialog).getByLabelText(/API key/), 'sk-test');
      await userEvent.click(within(dialog).getByRole('button', { name: 'Add credential' }));
      expect(await within(dialog).findByText(/Use up to 64 letters/)).toBeInTheDocument();
      expect(requests.some((request) => request.method === 'POST')).toBe(false);
    },
    SLOW,
  );

  it('checks a credential with the provider and shows the outcome', async () => {
    stubFetch(
      apiTable({
        'GET /auth/me': accountsMe(user),
        'GET /credentials': json([credential('c1', 'openai', 'openai', 'x9Qz')]),
        'POST /credentials/c1/check': json({ ok: false, detail: 'The provider refused the key (401).' }),
      }),
    );
    renderRoute('/credentials');
    await userEvent.click(await screen.findByRole('button', { name: 'Check' }));
    expect(await screen.findByTestId('check-result')).toHaveTextContent('Failed');
  });

  it(
    'renames a credential without sending a secret',
    async () => {
      const { requests } = stubFetch(
        apiTable({
          'GET /auth/me': accountsMe(user),
          'GET /credentials': json([credential('c1', 'openai', 'openai', 'x9Qz')]),
          'PATCH /credentials/c1': json(credential('c1', 'openai-prod', 'openai', 'x9Qz')),
        }),
      );
      renderRoute('/credentials');
      await userEvent.click(await screen.findByRole('button', { name: 'Actions for openai' }));
      await userEvent.click(await screen.findByRole('menuitem', { name: 'Rename or replace secret' }));
      const dialog = await screen.findByRole('dialog', { name: 'Edit openai' });
      const name = within(dialog).getByLabelText(/^Name/);
      await userEvent.clear(name);
      await userEvent.type(name, 'openai-prod');
      await userEvent.click(within(dialog).getByRole('button', { name: 'Save changes' }));
      await waitFor(() => expect(requests.some((request) => request.method === 'PATCH')).toBe(true));
      expect(await requests.find((request) => request.method === 'PATCH')!.json()).toEqual({
        name: 'openai-prod',
      });
    },
    SLOW,
  );
});

describe('CredentialPicker in a params form', () => {
  const schema = {
    type: 'object',
    properties: {
      credential: {
        anyOf: [{ $ref: '#/$defs/CredentialRef' }, { type: 'null' }],
        default: null,
        description: 'The API key.',
      },
    },
    $defs: {
      CredentialRef: {
        type: 'object',
        'x-nodeloom-credential': true,
        properties: { $credential: { type: 'string' } },
        required: ['$credential'],
      },
    },
  };

  function Form({ initial }: { initial: Record<string, unknown> }) {
    const [value, setValue] = useState(initial);
    return (
      <>
        <SchemaForm schema={schema} value={value} onChange={setValue} credentialField={CredentialPicker} />
        <output data-testid="value">{JSON.stringify(value)}</output>
      </>
    );
  }

  function renderForm(initial: Record<string, unknown>, owner?: string) {
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const form = <Form initial={initial} />;
    return render(
      <MantineProvider theme={theme} env="test">
        <QueryClientProvider client={queryClient}>
          <MemoryRouter>
            {owner ? <CredentialsOwnedBy owner={owner}>{form}</CredentialsOwnedBy> : form}
          </MemoryRouter>
        </QueryClientProvider>
      </MantineProvider>,
    );
  }

  it('offers the person’s credentials and stores only a reference by name', async () => {
    stubFetch(
      apiTable({
        'GET /auth/me': accountsMe(user),
        'GET /credentials': json([
          credential('c1', 'openai', 'openai', 'x9Qz'),
          credential('c2', 'claude', 'anthropic', 'k3y9'),
        ]),
      }),
    );
    renderForm({});
    const input = await screen.findByLabelText(/^Credential/, { selector: 'input' });
    await userEvent.click(input);
    await userEvent.click(await screen.findByRole('option', { name: /claude · Anthropic ••••k3y9/ }));
    expect(screen.getByTestId('value')).toHaveTextContent('{"credential":{"$credential":"claude"}}');
  });

  it('flags a referenced name the person has no credential for', async () => {
    stubFetch(
      apiTable({
        'GET /auth/me': accountsMe(user),
        'GET /credentials': json([credential('c1', 'openai', 'openai', 'x9Qz')]),
      }),
    );
    renderForm({ credential: { $credential: 'team-openai' } });
    expect(await screen.findByText(/No credential named “team-openai”/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Credential/, { selector: 'input' })).toHaveValue('team-openai');
  });

  it('shows the owner’s choice, unchangeable, in a workflow someone else owns', async () => {
    stubFetch(
      apiTable({
        'GET /auth/me': accountsMe(user),
        'GET /credentials': json([credential('c1', 'mine', 'openai', 'x9Qz')]),
      }),
    );
    renderForm({ credential: { $credential: 'team' } }, 'Ada Lovelace');
    const input = screen.getByLabelText(/^Credential/, { selector: 'input' });
    expect(input).toHaveValue('team');
    expect(input).toHaveAttribute('readonly');
    expect(
      screen.getByText('Runs use Ada Lovelace’s credential “team”. Only Ada Lovelace can change it.'),
    ).toBeInTheDocument();
    await userEvent.click(input);
    expect(screen.queryByRole('option')).not.toBeInTheDocument(); // the visitor's own are not offered
    expect(screen.queryByRole('button', { name: 'Add a credential' })).not.toBeInTheDocument();
  });
});
