/** Accounts: who is signed in, sign-up, sign-in, sign-out and personal API keys. */
import { api, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import type { components } from '../api/schema';

type Schemas = components['schemas'];
export type User = Schemas['User'];
export type Me = Schemas['Me'];
export type AuthMode = Me['mode'];
export type ApiKey = Schemas['ApiKey'];
/** Only the answer to `createApiKey` carries the key itself. */
export type NewApiKey = Schemas['CreatedApiKey'];

/** The stable code of a problem: the last part of its `type` URI (`link_not_found`). */
export function problemCode(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.type === 'about:blank') return undefined;
  return error.type.split('/').filter(Boolean).pop();
}

export const getMe = () => unwrap(api.GET('/api/v1/auth/me'));
export const signUp = (body: { email: string; name: string; password: string }) =>
  unwrap(api.POST('/api/v1/auth/signup', { body }));
export const logIn = (body: { email: string; password: string }) =>
  unwrap(api.POST('/api/v1/auth/login', { body }));
export const logOut = () => unwrap(api.POST('/api/v1/auth/logout'));

export const listApiKeys = () => unwrap(api.GET('/api/v1/auth/api-keys'));
export const createApiKey = (name: string) => unwrap(api.POST('/api/v1/auth/api-keys', { body: { name } }));
export const revokeApiKey = (id: string) =>
  unwrap(api.DELETE('/api/v1/auth/api-keys/{key_id}', { params: { path: { key_id: id } } }));
