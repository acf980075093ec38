/**
 * The one error type the app shows to people: a problem+json response (RFC 9457)
 * from the API, or a transport failure dressed as one (status 0).
 */

/** One fault inside a problem: a body pointer (`/nodes/3/id`) or a named parameter. */
export interface ProblemItem {
  pointer?: string;
  parameter?: string;
  in?: string;
  code: string;
  message: string;
  /** The workflow node at fault, when the body is a workflow. */
  nodeId?: string;
  /** On `secret_in_params`: which secret and where (never its value). */
  secret?: SecretPlace;
}

/** Where a secret-looking value sits in a node's params (`secret_in_params`). */
export interface SecretPlace {
  nodeTitle: string;
  /** RFC 6901 pointer inside the node's params, e.g. `/template`. */
  param: string;
  kind: string;
  /** The credential provider its shape implies, when it does. */
  provider?: string;
  /** Where it is in the param's text, in code points (end exclusive). */
  start: number;
  end: number;
}

export interface ApiErrorInit {
  status: number;
  title: string;
  detail?: string;
  type?: string;
  errors?: ProblemItem[];
  currentVersion?: number;
}

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string;
  readonly errors: ProblemItem[];
  /** Set on 409 responses: the version the server holds now. */
  readonly currentVersion: number | undefined;

  constructor(init: ApiErrorInit) {
    super(init.detail ?? init.title);
    this.name = 'ApiError';
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type ?? 'about:blank';
    this.errors = init.errors ?? [];
    this.currentVersion = init.currentVersion;
  }

  get isConflict(): boolean {
    return this.status === 409;
  }

  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

function toSecretPlace(value: Record<string, unknown>): SecretPlace | undefined {
  const { node_title: nodeTitle, param, kind, start, end } = value;
  if (typeof param !== 'string' || typeof kind !== 'string') return undefined;
  if (typeof start !== 'number' || typeof end !== 'number') return undefined;
  const title = typeof nodeTitle === 'string' ? nodeTitle : '';
  return { nodeTitle: title, param, kind, provider: optionalString(value.provider), start, end };
}

function toProblemItem(value: unknown): ProblemItem | null {
  if (!isRecord(value) || typeof value.message !== 'string') return null;
  return {
    pointer: optionalString(value.pointer),
    parameter: optionalString(value.parameter),
    in: optionalString(value.in),
    code: optionalString(value.code) ?? 'invalid',
    message: value.message,
    nodeId: optionalString(value.node_id),
    secret: toSecretPlace(value),
  };
}

/** Build an ApiError from a failed response and its (already parsed) body. */
export function toApiError(response: Pick<Response, 'status' | 'statusText'>, body: unknown): ApiError {
  const status = response.status;
  const fallbackTitle = response.statusText || `Request failed (${status})`;
  if (!isRecord(body)) {
    const text = typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : undefined;
    return new ApiError({ status, title: fallbackTitle, detail: text });
  }
  const errors = Array.isArray(body.errors)
    ? body.errors.map(toProblemItem).filter((item): item is ProblemItem => item !== null)
    : [];
  return new ApiError({
    status: typeof body.status === 'number' ? body.status : status,
    title: optionalString(body.title) ?? fallbackTitle,
    detail: optionalString(body.detail),
    type: optionalString(body.type),
    errors,
    currentVersion: typeof body.current_version === 'number' ? body.current_version : undefined,
  });
}

export function networkError(cause: unknown): ApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ApiError({
    status: 0,
    title: 'Cannot reach the server',
    detail: `The request did not complete: ${reason}`,
  });
}

/** Where a problem item points, in words a person can act on ("/nodes/3/id", "query limit"). */
export function describeLocation(item: ProblemItem): string | undefined {
  if (item.pointer !== undefined) return item.pointer === '' ? '(document)' : item.pointer;
  if (item.parameter !== undefined) return item.in ? `${item.in} ${item.parameter}` : item.parameter;
  return undefined;
}

/** A short human message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.detail ?? error.title;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
