/**
 * The session: `GET /auth/me`, cached once for the whole app. Anything but a clear
 * "accounts" answer counts as single-person mode, so an older server (or one that cannot
 * answer right now) never locks the person out; the API enforces access either way.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { getMe, logIn, logOut, signUp, type Me, type User } from './api';

export const sessionKey = ['auth', 'me'] as const;

export interface Session {
  /** False until the first answer (or failure) of `/auth/me`. */
  known: boolean;
  mode: Me['mode'];
  user: User | null;
  signupOpen: boolean;
  /** Accounts mode and nobody signed in. */
  anonymous: boolean;
}

function toSession(me: Me | undefined, known: boolean): Session {
  const accounts = me?.mode === 'accounts';
  const user = accounts && me?.user ? me.user : null;
  return {
    known,
    mode: accounts ? 'accounts' : 'single',
    user,
    signupOpen: accounts ? me?.signup_open !== false : false,
    anonymous: accounts && user === null,
  };
}

export function useSession(): Session {
  const me = useQuery({ queryKey: sessionKey, queryFn: getMe, staleTime: 60_000, retry: false });
  return toSession(me.data, !me.isPending);
}

/** Sign in or sign up, then refresh everything cached under the previous identity. */
function useSignedIn() {
  const queryClient = useQueryClient();
  return async () => {
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
    await queryClient.invalidateQueries({ queryKey: sessionKey });
  };
}

export function useLogIn() {
  const signedIn = useSignedIn();
  return useMutation({ mutationFn: logIn, onSuccess: signedIn });
}

export function useSignUp() {
  const signedIn = useSignedIn();
  return useMutation({ mutationFn: signUp, onSuccess: signedIn });
}

export function useLogOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logOut,
    onSettled: () => {
      // Whatever the answer, forget what this person could see.
      queryClient.clear();
    },
  });
}

/** Only same-site paths are followed after sign-in (never `//evil.example`). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
