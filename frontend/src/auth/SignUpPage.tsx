/** `/signup`: name, email and a password of at least eight characters that the server does
 * not find among the most used (its reason shows under the field). */
import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { CircleAlert } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';

import { ApiError, errorMessage } from '../api/errors';
import { PageLoader } from '../layout/PageLoader';
import { problemCode } from './api';
import { AuthCard } from './AuthCard';
import { safeNext, useSession, useSignUp } from './session';

export const MIN_PASSWORD = 8;

/** The server's reason for refusing the password (a common one, one character repeated). */
const passwordProblem = (error: unknown) =>
  error instanceof ApiError ? error.errors.find((item) => item.pointer === '/password')?.message : undefined;

function signUpErrorText(error: unknown): string {
  switch (problemCode(error)) {
    case 'email_taken':
      return 'An account with this email already exists. Sign in instead.';
    case 'signup_closed':
      return 'Sign-up is closed on this server. Ask an administrator for an account.';
    default:
      return errorMessage(error);
  }
}

export function SignUpPage() {
  const session = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const signUp = useSignUp();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);

  if (!session.known) return <PageLoader label="Checking your session" />;
  if (!session.anonymous && !signUp.isPending) return <Navigate to={next} replace />;
  const loginHref = `/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`;
  const signIn = (
    <>
      Already have an account?{' '}
      <Anchor component={Link} to={loginHref} size="sm">
        Sign in
      </Anchor>
    </>
  );

  if (!session.signupOpen) {
    return (
      <AuthCard
        title="Sign-up is closed"
        subtitle="New accounts are created by an administrator."
        footer={signIn}
      >
        <Text size="sm">Ask the person who runs this Nodeloom server to create an account for you.</Text>
      </AuthCard>
    );
  }

  const short = password.length < MIN_PASSWORD;
  const refused = signUp.isError ? passwordProblem(signUp.error) : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (short || !email.trim() || !name.trim()) return;
    signUp.mutate(
      { email: email.trim(), name: name.trim(), password },
      { onSuccess: () => navigate(next, { replace: true }) },
    );
  };

  return (
    <AuthCard title="Create your account" subtitle="Build, run and share AI workflows." footer={signIn}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {signUp.isError && !refused && (
            <Alert color="red" variant="light" icon={<CircleAlert size={18} />} p="sm">
              {signUpErrorText(signUp.error)}
            </Alert>
          )}
          <TextInput
            label="Name"
            autoComplete="name"
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            error={touched && !name.trim() ? 'Enter your name.' : undefined}
            required
            autoFocus
          />
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(event) => setEmail(event.currentTarget.value)}
            error={touched && !email.trim() ? 'Enter your email.' : undefined}
            required
          />
          <PasswordInput
            label="Password"
            autoComplete="new-password"
            description={`At least ${MIN_PASSWORD} characters, and not a common password.`}
            value={password}
            onChange={(event) => {
              setPassword(event.currentTarget.value);
              if (refused) signUp.reset();
            }}
            error={touched && short ? `Use at least ${MIN_PASSWORD} characters.` : refused}
            required
          />
          <Button type="submit" fullWidth mt="xs" loading={signUp.isPending}>
            Create account
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
