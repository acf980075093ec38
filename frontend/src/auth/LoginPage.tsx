/** `/login`: email and password; afterwards back to where the person was going (`?next=`). */
import { Alert, Anchor, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { CircleAlert } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';

import { ApiError, errorMessage } from '../api/errors';
import { PageLoader } from '../layout/PageLoader';
import { problemCode } from './api';
import { AuthCard } from './AuthCard';
import { safeNext, useLogIn, useSession } from './session';

export function loginErrorText(error: unknown): string {
  const code = problemCode(error);
  if (code === 'invalid_login') return 'That email and password do not match an account.';
  if (code === 'too_many_attempts' || (error instanceof ApiError && error.status === 429)) {
    return 'Too many attempts. Wait a minute, then try again.';
  }
  if (code === 'account_disabled') return 'This account has been disabled. Ask an administrator.';
  return errorMessage(error);
}

export function LoginPage() {
  const session = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const login = useLogIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  if (!session.known) return <PageLoader label="Checking your session" />;
  if (!session.anonymous && !login.isPending) return <Navigate to={next} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email: email.trim(), password }, { onSuccess: () => navigate(next, { replace: true }) });
  };
  const signupHref = `/signup${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`;

  return (
    <AuthCard
      title="Sign in"
      subtitle="Welcome back to your workflows."
      footer={
        session.signupOpen && (
          <>
            New here?{' '}
            <Anchor component={Link} to={signupHref} size="sm">
              Create an account
            </Anchor>
          </>
        )
      }
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {login.isError && (
            <Alert color="red" variant="light" icon={<CircleAlert size={18} />} p="sm">
              {loginErrorText(login.error)}
            </Alert>
          )}
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(event) => setEmail(event.currentTarget.value)}
            required
            data-autofocus
            autoFocus
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            required
          />
          <Button
            type="submit"
            fullWidth
            mt="xs"
            loading={login.isPending}
            disabled={!email.trim() || !password}
          >
            Sign in
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
