import { describe, expect, it } from 'vitest';

import { ApiError, toApiError } from '../api/errors';
import type { WorkflowDocument } from '../api/types';
import { catalogue } from '../test/catalogue';
import {
  credentialParams,
  isSecretRefusal,
  moveIntoCredential,
  secretsToMove,
  suggestCredentialName,
} from './secretMoves';

const KEY = 'sk-proj-Ab3d_Ef6h-Ij9kLm2nOp5qRs8tUv1wXy4z';
const schemaOf = (type: string) => catalogue.byType.get(type)?.paramsSchema;

const sent: WorkflowDocument = {
  format: 'nodeloom.workflow',
  version: 1,
  name: 'Support answers',
  nodes: [
    {
      id: 'p',
      type: 'prompt.template',
      position: { x: 0, y: 0 },
      params: { template: `🔑 ${KEY} {question}` },
    },
    {
      id: 'llm',
      type: 'model.chat',
      position: { x: 300, y: 0 },
      params: { provider: 'anthropic', credential: 'sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c' },
    },
  ],
  edges: [],
};

const refusal = toApiError(
  { status: 422, statusText: 'Unprocessable Content' },
  {
    type: 'https://nodeloom.dev/problems/secret_in_params',
    title: 'Secret in node params',
    status: 422,
    detail: "Not saved: 'Prompt template' holds what looks like a secret.",
    errors: [
      {
        code: 'secret_in_params',
        message: "Node 'p' (Prompt template) holds what looks like an OpenAI API key in template.",
        pointer: '/nodes/0/params/template',
        node_id: 'p',
        node_title: 'Prompt template',
        param: '/template',
        kind: 'openai_key',
        provider: 'openai',
        start: 2, // code points: the key is after "🔑 ", two code points but three UTF-16 units
        end: 2 + KEY.length,
        action: 'store_as_credential',
      },
      {
        code: 'secret_in_params',
        message: "Node 'llm' (Chat model) holds what looks like an Anthropic API key in credential.",
        pointer: '/nodes/1/params/credential',
        node_id: 'llm',
        node_title: 'Chat model',
        param: '/credential',
        kind: 'anthropic_key',
        provider: 'anthropic',
        start: 0,
        end: 45,
        action: 'store_as_credential',
      },
    ],
  },
);

describe('secretsToMove', () => {
  it('reads each value from the sent document by its code-point span', () => {
    expect(isSecretRefusal(refusal)).toBe(true);
    expect(isSecretRefusal(new ApiError({ status: 422, title: 'x', type: 'https://x/invalid_input' }))).toBe(
      false,
    );

    const secrets = secretsToMove(refusal, sent, schemaOf);

    expect(
      secrets.map(({ nodeId, nodeTitle, param, kind, value, suggestedProvider }) => ({
        nodeId,
        nodeTitle,
        param,
        kind,
        value,
        suggestedProvider,
      })),
    ).toEqual([
      {
        nodeId: 'p',
        nodeTitle: 'Prompt template',
        param: '/template',
        kind: 'openai_key',
        value: KEY,
        suggestedProvider: 'openai',
      },
      {
        nodeId: 'llm',
        nodeTitle: 'Chat model',
        param: '/credential',
        kind: 'anthropic_key',
        value: 'sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c',
        suggestedProvider: 'anthropic',
      },
    ]);
  });

  it('skips an item whose node or text is gone', () => {
    const emptied = { ...sent, nodes: [] };
    expect(secretsToMove(refusal, emptied, schemaOf)).toEqual([]);
  });
});

describe('moveIntoCredential', () => {
  it('knows the credential params from the schema', () => {
    expect(credentialParams(schemaOf('model.chat'))).toEqual(['credential']);
    expect(credentialParams(schemaOf('prompt.template'))).toEqual([]);
  });

  it('replaces a value held in a credential param with the reference', () => {
    const params = { provider: 'anthropic', credential: 'sk-ant-xyz', model: 'claude' };

    const moved = moveIntoCredential(
      params,
      schemaOf('model.chat'),
      { param: '/credential', value: 'sk-ant-xyz' },
      'anthropic-chat',
      'anthropic',
    );

    expect(moved).toEqual({
      provider: 'anthropic',
      credential: { $credential: 'anthropic-chat' },
      model: 'claude',
    });
    expect(params.credential).toBe('sk-ant-xyz'); // a copy
  });

  it('cuts a value out of text and fills an empty credential param of the same provider', () => {
    const chat = { provider: 'openai', system_prompt: `Use ${KEY} please`, credential: null };

    const moved = moveIntoCredential(
      chat,
      schemaOf('model.chat'),
      { param: '/system_prompt', value: KEY },
      'openai-x',
      'openai',
    );
    const other = moveIntoCredential(
      chat,
      schemaOf('model.chat'),
      { param: '/system_prompt', value: KEY },
      'a',
      'anthropic',
    );

    expect(moved).toEqual({
      provider: 'openai',
      system_prompt: 'Use  please',
      credential: { $credential: 'openai-x' },
    });
    expect(other.credential).toBeNull();
  });

  it('cuts inside nested params without touching the original', () => {
    const params = { headers: { 'X-Api/Key': `k ${KEY}` }, stop: ['a', KEY] };

    const moved = moveIntoCredential(
      params,
      schemaOf('prompt.template'),
      { param: '/stop/1', value: KEY },
      'o',
      'openai',
    );
    const header = moveIntoCredential(
      params,
      schemaOf('prompt.template'),
      { param: '/headers/X-Api~1Key', value: KEY },
      'o',
      'openai',
    );

    expect(moved.stop).toEqual(['a', '']);
    expect(header.headers).toEqual({ 'X-Api/Key': 'k ' });
    expect(params.stop).toEqual(['a', KEY]);
  });
});

describe('suggestCredentialName', () => {
  it('names a credential after its provider and workflow, unique among the taken names', () => {
    expect(suggestCredentialName('openai', 'Support answers!', new Set())).toBe('openai-support-answers');
    expect(suggestCredentialName('openai', 'Café ☕', new Set(['openai-cafe']))).toBe('openai-cafe-2');
    expect(suggestCredentialName('pinecone', '☕', new Set())).toBe('pinecone-workflow');
    expect(suggestCredentialName('openai', 'x'.repeat(100), new Set()).length).toBeLessThanOrEqual(64);
  });
});
