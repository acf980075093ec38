/**
 * Guards the signed-in part of the app: in accounts mode an anonymous visitor goes to
 * /login (and comes back after). A 401 from any request later on (the session expired,
 * someone signed out in another tab) re-checks the session, which sends them there too.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';

import { ApiError } from '../api/errors';
import { sessionKey, useSession } from './session';

const isUnauthorised = (error: unknown) => error instanceof ApiError && error.status === 401;

export function useRecheckSessionOn401() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const recheck = () => void queryClient.invalidateQueries({ queryKey: sessionKey });
    const fromQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error' && isUnauthorised(event.action.error)) {
        if (event.query.queryKey[0] !== sessionKey[0]) recheck();
      }
    });
    const fromMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error' && isUnauthorised(event.action.error)) {
        recheck();
      }
    });
    return () => {
      fromQueries();
      fromMutations();
    };
  }, [queryClient]);
}

export function loginPath(location: { pathname: string; search: string }): string {
  const next = `${location.pathname}${location.search}`;
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}

export function RequireSession() {
  const session = useSession();
  const location = useLocation();
  useRecheckSessionOn401();
  // Pages render while the session is checked (the API guards the data anyway), so the
  // common case — signed in, or single-person mode — costs no extra round trip.
  if (session.anonymous) return <Navigate to={loginPath(location)} replace />;
  return <Outlet />;
}
