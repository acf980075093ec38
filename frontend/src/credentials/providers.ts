/** What each credential provider asks for, in words for the form. */
export type ProviderId = 'openai' | 'anthropic' | 'openai_compatible' | 'pinecone' | 'postgres';

export interface Provider {
  id: ProviderId;
  label: string;
  /** What the secret is, for its label. */
  secretLabel: string;
  secretPlaceholder: string;
  /** Where to get one, shown under the field. */
  secretHint: string;
  /** Whether the form asks for a base URL: the only address the secret is ever sent to. */
  baseUrl: 'required' | 'optional' | 'none';
  /** What the base URL is for, under its field. */
  baseUrlHint?: string;
  /** A sensible default name for the first credential of this provider. */
  defaultName: string;
  color: string;
}

export const PROVIDERS: readonly Provider[] = [
  {
    id: 'openai',
    label: 'OpenAI',
    secretLabel: 'API key',
    secretPlaceholder: 'sk-…',
    secretHint: 'From platform.openai.com → API keys.',
    baseUrl: 'optional',
    baseUrlHint:
      "Optional: a proxy or gateway in front of OpenAI. The key is sent only here, or to OpenAI's API when empty.",
    defaultName: 'openai',
    color: 'teal',
  },
  {
    id: 'anthropic',
    label: 'Anthropic',
    secretLabel: 'API key',
    secretPlaceholder: 'sk-ant-…',
    secretHint: 'From console.anthropic.com → API keys.',
    baseUrl: 'optional',
    baseUrlHint:
      "Optional: a proxy or gateway in front of Anthropic. The key is sent only here, or to Anthropic's API when empty.",
    defaultName: 'anthropic',
    color: 'orange',
  },
  {
    id: 'openai_compatible',
    label: 'OpenAI-compatible server',
    secretLabel: 'API key',
    secretPlaceholder: 'The key your server expects',
    secretHint: 'Ollama, vLLM and llama.cpp accept any non-empty key unless configured otherwise.',
    baseUrl: 'required',
    baseUrlHint: "The server's OpenAI-compatible /v1 address. The key is sent only here.",
    defaultName: 'local-llm',
    color: 'grape',
  },
  {
    id: 'pinecone',
    label: 'Pinecone',
    secretLabel: 'API key',
    secretPlaceholder: 'pcsk_…',
    secretHint: 'From app.pinecone.io → API keys.',
    baseUrl: 'optional',
    baseUrlHint:
      'Optional: the one index host this key may reach (Pinecone Local, a proxy). When empty it goes only to *.pinecone.io.',
    defaultName: 'pinecone',
    color: 'blue',
  },
  {
    id: 'postgres',
    label: 'PostgreSQL (pgvector)',
    secretLabel: 'Connection URL',
    secretPlaceholder: 'postgresql://user:password@host:5432/db',
    secretHint: 'The whole URL is kept secret, password included.',
    baseUrl: 'none',
    defaultName: 'pgvector',
    color: 'indigo',
  },
];

const byId = new Map(PROVIDERS.map((provider) => [provider.id, provider]));

export function providerOf(id: string): Provider {
  return (
    byId.get(id as ProviderId) ?? {
      id: id as ProviderId,
      label: id,
      secretLabel: 'Secret',
      secretPlaceholder: '',
      secretHint: '',
      baseUrl: 'none',
      defaultName: id,
      color: 'gray',
    }
  );
}

/** The server's rule for names: 1–64 of letters, digits, `_`, `.` and `-`. */
export const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export function nameError(name: string): string | undefined {
  if (!name) return 'Give it a name; nodes refer to it by this name.';
  if (!NAME_PATTERN.test(name)) return 'Use up to 64 letters, digits, dots, dashes or underscores.';
  return undefined;
}
