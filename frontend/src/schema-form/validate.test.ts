import { describe, expect, it } from 'vitest';

import { catalogue } from '../test/catalogue';
import { describeField, emptyValue, fieldLabel, type JsonSchema } from './schema';
import { validateValue } from './validate';

const schemaOf = (type: string) => catalogue.byType.get(type)!.paramsSchema;

describe('describeField', () => {
  const chat = schemaOf('model.chat');
  const field = (name: string) => describeField(chat.properties![name]!, chat);

  it('classifies the controls a form needs', () => {
    expect(field('provider').kind).toBe('enum');
    expect(field('system_prompt').kind).toBe('textarea');
    expect(field('stop').kind).toBe('array');
    expect(field('context_size')).toMatchObject({ kind: 'integer', nullable: false });
  });

  it('unwraps optional (anyOf null) fields and keeps their bounds', () => {
    expect(field('temperature')).toMatchObject({
      kind: 'number',
      nullable: true,
      schema: { minimum: 0, maximum: 2 },
    });
    expect(field('model')).toMatchObject({ kind: 'text', nullable: true });
  });

  it('resolves $ref to a credential reference', () => {
    expect(field('credential')).toMatchObject({ kind: 'credential', nullable: true });
  });

  it('treats a union of scalars as one text-like control', () => {
    const router = schemaOf('logic.router');
    const rule = describeField(router.properties!.rules!.items!, router);
    expect(rule.kind).toBe('object');
    expect(describeField(rule.schema.properties!.value!, router).kind).toBe('scalar');
  });
});

describe('validateValue', () => {
  it('accepts what the engine accepts', () => {
    const chat = schemaOf('model.chat');
    const params = {
      provider: 'openai',
      temperature: 0.5,
      stop: ['###'],
      credential: { $credential: 'openai' },
    };
    expect(validateValue(chat, chat, params)).toEqual([]);
  });

  it('reports bounds, enums, types and unknown fields by pointer', () => {
    const chat = schemaOf('model.chat');
    const errors = validateValue(chat, chat, { provider: 'nope', temperature: 3, max_tokens: 1.5, extra: 1 });
    expect(errors).toEqual(
      expect.arrayContaining([
        { pointer: '/provider', message: expect.stringMatching(/one of openai/) },
        { pointer: '/temperature', message: 'Must be at most 2.' },
        { pointer: '/max_tokens', message: 'Must be a whole number.' },
        { pointer: '/extra', message: 'Unknown field extra.' },
      ]),
    );
  });

  it('reports required fields, patterns and nested array items', () => {
    const prompt = schemaOf('prompt.template');
    expect(validateValue(prompt, prompt, {})).toEqual([{ pointer: '/template', message: 'Required.' }]);
    const input = schemaOf('io.input');
    expect(validateValue(input, input, { name: '' }).map((error) => error.pointer)).toEqual(['/name']);
    expect(validateValue(input, input, { name: 'données clés 結果' })).toEqual([]);
    const router = schemaOf('logic.router');
    expect(validateValue(router, router, { default_route: '1abc' })[0]?.message).toMatch(/pattern/);
    const errors = validateValue(router, router, {
      rules: [
        { route: 'ok', kind: 'contains' },
        { route: '', kind: 'x' },
      ],
    });
    expect(errors.map((error) => error.pointer)).toEqual(['/rules/1/route', '/rules/1/kind']);
  });

  it('checks the credential object shape', () => {
    const chat = schemaOf('model.chat');
    expect(validateValue(chat, chat, { credential: { $credential: '' } })).toHaveLength(1);
    expect(validateValue(chat, chat, { credential: null })).toEqual([]);
  });
});

describe('helpers', () => {
  it('labels fields in sentence case', () => {
    expect(fieldLabel('chunk_size', { title: 'Chunk Size' })).toBe('Chunk size');
    expect(fieldLabel('base_url', { title: 'Base Url' })).toBe('Base URL');
    expect(fieldLabel('credential', {})).toBe('Credential');
  });

  it('starts new array items from the schema', () => {
    const router = schemaOf('logic.router');
    expect(emptyValue(router.properties!.rules!.items!, router)).toEqual({ route: '', kind: 'contains' });
    expect(emptyValue({ type: 'integer', minimum: 3 } as JsonSchema, {})).toBe(3);
  });
});
