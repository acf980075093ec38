/**
 * The thin typed client: openapi-fetch over the generated schema, with every failure
 * turned into an ApiError so callers only handle data or a thrown ApiError.
 */
import createClient from 'openapi-fetch';

import { ApiError, networkError, toApiError } from './errors';
import type { paths } from './schema';

export { ApiError } from './errors';
export type { ProblemItem } from './errors';

const baseUrl = typeof window === 'undefined' ? '' : window.location.origin;

export const api = createClient<paths>({
  baseUrl,
  // Resolved per call (not captured at start-up) so tests can stub the global fetch.
  fetch: (request) => globalThis.fetch(request),
});

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Await an openapi-fetch call and return its data, or throw an ApiError. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch (cause) {
    throw networkError(cause);
  }
  if (!outcome.response.ok) throw toApiError(outcome.response, outcome.error);
  return outcome.data as T;
}

/** The `If-Match` value for a workflow version (a strong ETag, quoted). */
export const ifMatch = (version: number): string => `"${version}"`;

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;
