import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { accountsMe, apiTable, user } from '../../auth/fakeApi.test-util';
import { json, renderRoute, stubFetch } from '../../test/render';

const admin = { ...user, id: 'admin', email: 'root@example.com', name: 'Root', is_admin: true };
const member = { ...user, id: 'u2', email: 'bob@example.com', name: 'Bob' };

describe('AdminUsersPage', () => {
  it('lists every account and disables one', async () => {
    const { requests } = stubFetch(
      apiTable({
        'GET /auth/me': accountsMe(admin),
        'GET /admin/users': json([admin, member]),
        'PATCH /admin/users/u2': json({ ...member, disabled: true }),
      }),
    );
    renderRoute('/admin/users');
    const table = await screen.findByRole('table', { name: 'Users' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    // Admins cannot lock themselves out.
    expect(screen.getByRole('switch', { name: 'root@example.com can sign in' })).toBeDisabled();
    await userEvent.click(screen.getByRole('switch', { name: 'bob@example.com can sign in' }));
    await waitFor(() =>
      expect(screen.getByRole('switch', { name: 'bob@example.com can sign in' })).not.toBeChecked(),
    );
    const patch = requests.find((request) => request.method === 'PATCH')!;
    expect(await patch.json()).toEqual({ disabled: true });
  }, 20_000);

  it('is not there for someone who is not an admin', async () => {
    const { requests } = stubFetch(apiTable({ 'GET /auth/me': accountsMe(user) }));
    renderRoute('/admin/users');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    expect(requests.some((request) => request.url.includes('/admin/'))).toBe(false);
  });
});
