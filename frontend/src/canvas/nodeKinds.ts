/**
 * Interim node catalogue (DESIGN.md "Node types"), until the backend serves
 * `GET /api/v1/node-types`. Ports are what the canvas needs now: names become handle
 * ids, so edges carry `sourceHandle`/`targetHandle` = port names.
 */

export type PortType = 'text' | 'messages' | 'documents' | 'embeddings' | 'retriever' | 'json' | 'any';

export interface Port {
  name: string;
  type: PortType;
  /** Extra types an input takes besides `type` (a chat prompt takes text or messages). */
  accepts?: readonly PortType[];
  optional?: boolean;
}

export type NodeCategory = 'io' | 'prompt' | 'model' | 'data' | 'vector' | 'logic';

export interface NodeKind {
  type: string;
  title: string;
  category: NodeCategory;
  description: string;
  inputs: readonly Port[];
  outputs: readonly Port[];
}

export const CATEGORY_TITLES: Record<NodeCategory, string> = {
  io: 'Inputs & outputs',
  prompt: 'Prompts',
  model: 'Models',
  data: 'Data',
  vector: 'Vector stores',
  logic: 'Logic',
};

export const NODE_KINDS: readonly NodeKind[] = [
  {
    type: 'io.input',
    title: 'Input',
    category: 'io',
    description: 'A named workflow input',
    inputs: [],
    outputs: [{ name: 'value', type: 'text' }],
  },
  {
    type: 'io.output',
    title: 'Output',
    category: 'io',
    description: 'A named workflow output',
    inputs: [{ name: 'value', type: 'any' }],
    outputs: [],
  },
  {
    type: 'data.text',
    title: 'Text',
    category: 'data',
    description: 'Literal text',
    inputs: [],
    outputs: [{ name: 'text', type: 'text' }],
  },
  {
    type: 'prompt.template',
    title: 'Prompt template',
    category: 'prompt',
    description: 'Fills {variables} into a prompt',
    inputs: [{ name: 'variables', type: 'text', optional: true }],
    outputs: [{ name: 'prompt', type: 'text' }],
  },
  {
    type: 'model.chat',
    title: 'Chat model',
    category: 'model',
    description: 'OpenAI, Anthropic, OpenAI-compatible or local',
    inputs: [{ name: 'prompt', type: 'text', accepts: ['messages'] }],
    outputs: [
      { name: 'text', type: 'text' },
      { name: 'message', type: 'messages' },
    ],
  },
  {
    type: 'model.embeddings',
    title: 'Embeddings',
    category: 'model',
    description: 'Local MiniLM or OpenAI embeddings',
    inputs: [],
    outputs: [{ name: 'embeddings', type: 'embeddings' }],
  },
  {
    type: 'data.loader',
    title: 'Document loader',
    category: 'data',
    description: 'Text, Markdown, CSV, PDF or JSON',
    inputs: [],
    outputs: [{ name: 'documents', type: 'documents' }],
  },
  {
    type: 'data.splitter',
    title: 'Text splitter',
    category: 'data',
    description: 'Recursive character splitter',
    inputs: [{ name: 'documents', type: 'documents' }],
    outputs: [{ name: 'documents', type: 'documents' }],
  },
  {
    type: 'data.join',
    title: 'Join documents',
    category: 'data',
    description: 'Renders documents into one text',
    inputs: [{ name: 'documents', type: 'documents' }],
    outputs: [{ name: 'text', type: 'text' }],
  },
  {
    type: 'vector.upsert',
    title: 'Vector upsert',
    category: 'vector',
    description: 'Writes documents to a vector store',
    inputs: [
      { name: 'documents', type: 'documents' },
      { name: 'embeddings', type: 'embeddings' },
    ],
    outputs: [{ name: 'retriever', type: 'retriever' }],
  },
  {
    type: 'vector.search',
    title: 'Vector search',
    category: 'vector',
    description: 'Top-k similarity search',
    inputs: [
      { name: 'query', type: 'text' },
      { name: 'retriever', type: 'retriever' },
    ],
    outputs: [{ name: 'documents', type: 'documents' }],
  },
  {
    type: 'logic.router',
    title: 'Router',
    category: 'logic',
    description: 'Routes text by rules; one output per route',
    // Route outputs come from the node's params once the inspector lands.
    inputs: [{ name: 'value', type: 'text' }],
    outputs: [],
  },
];

const BY_TYPE = new Map(NODE_KINDS.map((kind) => [kind.type, kind]));

export const findNodeKind = (type: string): NodeKind | undefined => BY_TYPE.get(type);

/** The name a person sees for a node: their label, else the kind's title, else the type id. */
export function nodeTitle(kind: string, label?: string): string {
  return label?.trim() || findNodeKind(kind)?.title || kind;
}

export function nodeKindsByCategory(): [NodeCategory, NodeKind[]][] {
  const groups = new Map<NodeCategory, NodeKind[]>();
  for (const kind of NODE_KINDS) {
    groups.set(kind.category, [...(groups.get(kind.category) ?? []), kind]);
  }
  return [...groups.entries()];
}

/** Whether an output of type `from` may feed an input port. */
export function portAccepts(input: Port, from: PortType): boolean {
  if (input.type === 'any' || from === 'any') return true;
  return input.type === from || (input.accepts ?? []).includes(from);
}
