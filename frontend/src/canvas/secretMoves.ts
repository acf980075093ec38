/**
 * A save refused because a param holds a secret (`422 secret_in_params`), and the one
 * click that fixes it: keep the value in a credential and put a reference where it was.
 *
 * The server names each secret by node, param pointer and code-point span, never by
 * value; the editor holds the document it sent, so it reads the value from there. The
 * move mirrors the backend's (`backend/exchange/secret_moves.py`): in a credential param
 * the value becomes `{"$credential": NAME}`; elsewhere it is cut out of the text, and an
 * empty credential param of the node for the same provider gets the reference.
 */
import { ApiError, type SecretPlace } from '../api/errors';
import type { WorkflowDocument } from '../api/types';
import { PROVIDERS, type ProviderId } from '../credentials/providers';
import { CREDENTIAL_KEY, describeField, type JsonSchema } from '../schema-form/schema';

const SECRET_IN_PARAMS = '/secret_in_params';

/** One secret the editor can move: where it is, what it is, and its value (kept in memory). */
export interface SecretToMove extends SecretPlace {
  nodeId: string;
  message: string;
  value: string;
  /** The provider to suggest: the shape's, or the node's for a credential param. */
  suggestedProvider?: ProviderId;
}

export const isSecretRefusal = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.type.endsWith(SECRET_IN_PARAMS);

const KNOWN_PROVIDERS = new Set<string>(PROVIDERS.map((provider) => provider.id));
const asProvider = (value: unknown): ProviderId | undefined =>
  typeof value === 'string' && KNOWN_PROVIDERS.has(value) ? (value as ProviderId) : undefined;

/** The secrets of a refusal, with their values read from `sent` (the refused document). */
export function secretsToMove(
  error: ApiError,
  sent: WorkflowDocument,
  schemaOf: (nodeType: string) => JsonSchema | undefined,
): SecretToMove[] {
  const found: SecretToMove[] = [];
  for (const item of error.errors) {
    const node = sent.nodes?.find((candidate) => candidate.id === item.nodeId);
    if (!item.secret || !node) continue;
    const params = (node.params ?? {}) as Record<string, unknown>;
    const text = valueAt(params, item.secret.param);
    if (typeof text !== 'string') continue;
    const value = Array.from(text).slice(item.secret.start, item.secret.end).join('');
    if (!value) continue;
    const [first, ...rest] = pathOf(item.secret.param);
    const inCredentialParam =
      rest.length === 0 && first !== undefined && credentialParams(schemaOf(node.type)).includes(first);
    const suggestedProvider = inCredentialParam
      ? (asProvider(nodeProvider(params)) ?? asProvider(item.secret.provider))
      : asProvider(item.secret.provider);
    found.push({ ...item.secret, nodeId: node.id, message: item.message, value, suggestedProvider });
  }
  return found;
}

/** `params` with `secret.value` replaced by a reference to the credential `name` of `provider`. */
export function moveIntoCredential(
  params: Record<string, unknown>,
  paramsSchema: JsonSchema | undefined,
  secret: Pick<SecretToMove, 'param' | 'value'>,
  name: string,
  provider: string,
): Record<string, unknown> {
  const reference = { [CREDENTIAL_KEY]: name };
  const credentialFields = credentialParams(paramsSchema);
  const path = pathOf(secret.param);
  const [first] = path;
  if (path.length === 1 && first !== undefined && credentialFields.includes(first)) {
    return { ...params, [first]: reference };
  }
  const moved = withCut(params, path, secret.value);
  const empty = credentialFields.find(
    (field) => moved[field] === undefined || moved[field] === null || moved[field] === '',
  );
  if (empty !== undefined && nodeProvider(moved) === provider) moved[empty] = reference;
  return moved;
}

/** A credential name for `provider` that `taken` does not hold yet: `openai-support-answers`. */
export function suggestCredentialName(
  provider: string,
  workflowName: string,
  taken: ReadonlySet<string>,
): string {
  const slug =
    workflowName
      .normalize('NFKD')
      .replace(/[^\x00-\x7f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'workflow';
  const base = `${provider}-${slug}`.slice(0, 64);
  if (!taken.has(base)) return base;
  for (let number = 2; ; number++) {
    const suffix = `-${number}`;
    const name = base.slice(0, 64 - suffix.length) + suffix;
    if (!taken.has(name)) return name;
  }
}

/** The names of the params that hold a `{"$credential": NAME}` reference. */
export function credentialParams(schema: JsonSchema | undefined): string[] {
  if (!schema?.properties) return [];
  return Object.entries(schema.properties)
    .filter(([, field]) => describeField(field, schema).kind === 'credential')
    .map(([name]) => name);
}

/** The provider a node's credential is for: its `provider`, or its store's service. */
function nodeProvider(params: Record<string, unknown>): string | undefined {
  if (typeof params.provider === 'string' && params.provider) return params.provider;
  const stores: Record<string, string> = { pinecone: 'pinecone', pgvector: 'postgres' };
  return typeof params.store === 'string' ? stores[params.store] : undefined;
}

const pathOf = (pointer: string): string[] =>
  pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));

function valueAt(params: Record<string, unknown>, pointer: string): unknown {
  let current: unknown = params;
  for (const key of pathOf(pointer)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A copy of `params` with every `value` cut out of the string at `path` (copies along it). */
function withCut(params: Record<string, unknown>, path: string[], value: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...params };
  let holder: Record<string, unknown> = copy;
  for (const [index, key] of path.entries()) {
    const current = holder[key];
    if (index === path.length - 1) {
      if (typeof current === 'string') holder[key] = current.split(value).join('');
    } else if (current !== null && typeof current === 'object') {
      const next = (Array.isArray(current) ? [...current] : { ...current }) as Record<string, unknown>;
      holder[key] = next;
      holder = next;
    } else {
      break;
    }
  }
  return copy;
}
