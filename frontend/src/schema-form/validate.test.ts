import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it, vi } from 'vitest';

import { catalogue } from '../test/catalogue';
import { describeField, emptyValue, fieldLabel, type JsonSchema } from './schema';
import { validateParams } from './validate';

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

describe('validateParams', () => {
  it('accepts what the engine accepts', () => {
    const chat = schemaOf('model.chat');
    const params = {
      provider: 'openai',
      temperature: 0.5,
      stop: ['###'],
      credential: { $credential: 'openai' },
    };
    expect(validateParams(chat, params)).toEqual([]);
  });

  it('reports bounds, enums, types and unknown fields by pointer', () => {
    const chat = schemaOf('model.chat');
    const errors = validateParams(chat, { provider: 'nope', temperature: 3, max_tokens: 1.5, extra: 1 });
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
    expect(validateParams(prompt, {})).toEqual([{ pointer: '/template', message: 'Required.' }]);
    const input = schemaOf('io.input');
    expect(validateParams(input, { name: '' }).map((error) => error.pointer)).toEqual(['/name']);
    expect(validateParams(input, { name: 'données clés 結果' })).toEqual([]);
    const router = schemaOf('logic.router');
    expect(validateParams(router, { default_route: '1abc' })[0]?.message).toMatch(/pattern/);
    const errors = validateParams(router, {
      rules: [
        { route: 'ok', kind: 'contains' },
        { route: '', kind: 'x' },
      ],
    });
    expect(errors.map((error) => error.pointer)).toEqual(['/rules/1/route', '/rules/1/kind']);
  });

  it('checks the credential object shape', () => {
    const chat = schemaOf('model.chat');
    expect(validateParams(chat, { credential: { $credential: '' } })).toHaveLength(1);
    expect(validateParams(chat, { credential: null })).toEqual([]);
  });
});

describe('validateParams with schemas beyond the catalogue', () => {
  it('names every type a value may have when it fits no branch of a union', () => {
    const router = schemaOf('logic.router');
    const errors = validateParams(router, { rules: [{ route: 'a', kind: 'equals', value: {} }] });
    expect(errors).toEqual([
      { pointer: '/rules/0/value', message: 'Must be text, a whole number, a number or true or false.' },
    ]);
    const either = { type: 'object', properties: { x: { type: ['string', 'null'] } } } as JsonSchema;
    expect(validateParams(either, { x: 3 })).toEqual([{ pointer: '/x', message: 'Must be text or null.' }]);
  });

  it('escapes pointer segments and words exclusive bounds and constants', () => {
    const schema = {
      type: 'object',
      properties: {
        'a/b~c': { type: 'number', exclusiveMinimum: 0 },
        fixed: { const: 'v1' },
        step: { type: 'integer', multipleOf: 5 },
      },
      required: ['needed/one'],
    } as unknown as JsonSchema;
    expect(validateParams(schema, { 'a/b~c': 0, fixed: 'v2', step: 7 })).toEqual([
      { pointer: '/needed~1one', message: 'Required.' },
      { pointer: '/a~1b~0c', message: 'Must be more than 0.' },
      { pointer: '/fixed', message: 'Must be v1.' },
      { pointer: '/step', message: 'Must be multiple of 5.' },
    ]);
  });

  it('leaves a pattern JavaScript cannot read to the backend', () => {
    const schema = {
      type: 'object',
      properties: { n: { type: 'string', pattern: '(?P<x>a)\\Z' } },
    } as JsonSchema;
    expect(validateParams(schema, { n: 'anything' })).toEqual([]);
  });

  it('says so when a schema cannot be compiled', () => {
    const broken = { type: 'object', properties: { n: { $ref: '#/$defs/Missing' } } } as JsonSchema;
    expect(validateParams(broken, { n: 1 })).toEqual([
      { pointer: '', message: expect.stringMatching(/^The parameter schema cannot be checked here/) },
    ]);
  });

  it('compiles each schema object once', () => {
    const compile = vi.spyOn(Ajv2020.prototype, 'compile');
    try {
      const schema = structuredClone(schemaOf('model.chat'));
      for (let i = 0; i < 50; i++) validateParams(schema, { temperature: i / 10 });
      expect(compile).toHaveBeenCalledTimes(1);
      validateParams(structuredClone(schema), {});
      expect(compile).toHaveBeenCalledTimes(2);
    } finally {
      compile.mockRestore();
    }
  });
});

/** Seeded, so a failure names the case that reproduces it. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const json = (depth: number): unknown => {
    switch (pick(['null', 'bool', 'int', 'float', 'text', 'list', 'object'] as const)) {
      case 'null':
        return null;
      case 'bool':
        return next() < 0.5;
      case 'int':
        return pick([0, 1, -1, 2, 3, 255, 256, 131072, 131073, 1_000_001, Math.floor(next() * 1e6)]);
      case 'float':
        return pick([0.5, 1.5, 2.0000001, -0.1, next() * 4]);
      case 'text':
        return pick(['', 'a', '1abc', 'ok_route', 'données 結果', 'x'.repeat(201), '{v}', '$credential']);
      case 'list':
        return depth > 2 ? [] : Array.from({ length: Math.floor(next() * 4) }, () => json(depth + 1));
      case 'object':
        return depth > 2
          ? {}
          : Object.fromEntries(
              Array.from({ length: Math.floor(next() * 3) }, () => [
                pick(['route', 'kind', 'value', '$credential', 'extra']),
                json(depth + 1),
              ]),
            );
    }
  };
  return { next, pick, json };
}

describe('validateParams on generated params', () => {
  const reference = new Ajv2020({ strict: false, validateFormats: false });
  const types = [...catalogue.byType.values()].filter((spec) => spec.paramsSchema.properties);

  it('reports a problem exactly when the schema refuses the value, one per field', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { next, pick, json } = generator(seed);
      for (const spec of types) {
        const schema = spec.paramsSchema;
        const keys = [...Object.keys(schema.properties!), 'extra'];
        const params: Record<string, unknown> = {};
        while (next() < 0.7) params[pick(keys)] = json(0);
        const errors = validateParams(schema, params);
        const label = `seed ${seed}, ${spec.type} ${JSON.stringify(params)}`;
        expect(errors.length === 0, label).toBe(reference.validate(schema, params));
        const pointers = errors.map((error) => error.pointer);
        expect(new Set(pointers).size, label).toBe(pointers.length);
        for (const { pointer, message } of errors) {
          const first = pointer.split('/')[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
          expect(first !== undefined && (first in params || schema.required?.includes(first)), label).toBe(
            true,
          );
          expect(message, label).toMatch(/^[A-Z].*\.$/);
        }
      }
    }
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
