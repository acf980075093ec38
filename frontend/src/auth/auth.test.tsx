import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { json, problem, renderRoute, stubFetch } from '../test/render';
import { accountsMe, apiTable, emptyPage, singleMe, user } from './fakeApi.test-util';
import { safeNext } from './session';

describe('session and sign-in', () => {
  it('sends an anonymous visitor in accounts mode to /login, keeping where they were going', async () => {
    stubFetch(apiTable({ 'GET /auth/me': accountsMe(null), 'GET /workflows': emptyPage() }));
    const { router } = renderRoute('/credentials');
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.search).toBe('?next=%2Fcredentials');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Create an account' })).toHaveAttribute(
      'href',
      '/signup?next=%2Fcredentials',
    );
  });

  it('signs in with email and password and goes on to the page asked for', async () => {
    let signedIn = false;
    const { requests } = stubFetch(
      apiTable({
        'GET /auth/me': () => accountsMe(signedIn ? user : null),
        'POST /auth/login': () => {
          signedIn = true;
          return json(user);
        },
        'GET /credentials': json([]),
      }),
    );
    const { router } = renderRoute('/login?next=%2Fcredentials');
    await userEvent.type(await screen.findByLabelText(/Email/), 'ada@example.com');
    await userEvent.type(screen.getByLabelText(/Password/), 'correct horse');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/credentials'));
    const login = requests.find((request) => request.url.endsWith('/auth/login'))!;
    expect(await login.json()).toEqual({ email: 'ada@example.com', password: 'correct horse' });
    expect(await screen.findByRole('button', { name: 'Account menu for Ada Lovelace' })).toBeInTheDocument();
  });

  it('says plainly when the email and password do not match', async () => {
    stubFetch(
      apiTable({
        'GET /auth/me': accountsMe(null),
        'POST /auth/login': problem({
          type: 'https://nodeloom.dev/problems/invalid_login',
          title: 'Invalid login',
          status: 401,
        }),
      }),
    );
    renderRoute('/login');
    await userEvent.type(await screen.findByLabelText(/Email/), 'ada@example.com');
    await userEvent.type(screen.getByLabelText(/Password/), 'wrong password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('That email and password do not match an account.')).toBeInTheDocument();
  });

  it('checks the password length before signing up', async () => {
    const { requests } = stubFetch(apiTable({ 'GET /auth/me': accountsMe(null) }));
    renderRoute('/signup');
    await userEvent.type(await screen.findByLabelText(/Name/), 'Ada');
    await userEvent.type(screen.getByLabelText(/Email/), 'ada@example.com');
    await userEvent.type(screen.getByLabelText(/Password/), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText('Use at least 8 characters.')).toBeInTheDocument();
    expect(requests.some((request) => request.url.endsWith('/auth/signup'))).toBe(false);
  });

  it("shows the server's reason under the password field when it refuses a common password", async () => {
    const message = 'This password is one of the 10,000 most used; choose one nobody else would.';
    stubFetch(
      apiTable({
        'GET /auth/me': accountsMe(null),
        'POST /auth/signup': problem({
          type: 'https://nodeloom.dev/problems/invalid_input',
          title: 'Invalid input',
          status: 422,
          detail: 'The request has 1 problem.',
          errors: [{ code: 'common_password', message, pointer: '/password' }],
        }),
      }),
    );
    renderRoute('/signup');
    await userEvent.type(await screen.findByLabelText(/Name/), 'Ada');
    await userEvent.type(screen.getByLabelText(/Email/), 'ada@example.com');
    await userEvent.type(screen.getByLabelText(/Password/), 'Password1');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(screen.queryByText('The request has 1 problem.')).not.toBeInTheDocument();
    await userEvent.type(screen.getByLabelText(/Password/), '!'); // typing clears the reason
    expect(screen.queryByText(message)).not.toBeInTheDocument();
  });

  it('has no sign-in in single-person mode: /login goes home and there is no account menu', async () => {
    stubFetch(apiTable({ 'GET /auth/me': singleMe(), 'GET /workflows': emptyPage() }));
    const { router } = renderRoute('/login');
    await waitFor(() => expect(router.state.location.pathname).toBe('/'));
    expect(await screen.findByText('Local workspace')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Credentials' })).toHaveAttribute('href', '/credentials');
    expect(screen.queryByRole('button', { name: /Account menu/ })).not.toBeInTheDocument();
  });

  it('signs out from the account menu', async () => {
    let signedIn = true;
    const { requests } = stubFetch(
      apiTable({
        'GET /auth/me': () => accountsMe(signedIn ? user : null),
        'GET /workflows': emptyPage(),
        'POST /auth/logout': () => {
          signedIn = false;
          return new Response(null, { status: 204 });
        },
      }),
    );
    const { router } = renderRoute('/');
    await userEvent.click(await screen.findByRole('button', { name: 'Account menu for Ada Lovelace' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Sign out' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(
      requests.some((request) => request.method === 'POST' && request.url.endsWith('/auth/logout')),
    ).toBe(true);
  });

  it('follows only same-site paths after sign-in', () => {
    expect(safeNext('/workflows/w1?run=r1')).toBe('/workflows/w1?run=r1');
    expect(safeNext('//evil.example/x')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
