import { describe, expect, it } from 'vitest';

import cases from '../../../tests/fixtures/template_cases.json';
import { catalogue } from '../test/catalogue';
import { portsFor, scanTemplate } from './ports';

const spec = (type: string) => catalogue.byType.get(type)!;

describe('scanTemplate (mirrors graph_engine/templating.py)', () => {
  it('finds variables in order of first appearance, skipping literal braces', () => {
    expect(scanTemplate('Q: {question} C: {context} again {question} {{literal}}')).toEqual({
      variables: ['question', 'context'],
      error: null,
    });
  });

  it('reports an unmatched brace with its position', () => {
    const scan = scanTemplate('Hi {name} {oops');
    expect(scan.variables).toEqual(['name']);
    expect(scan.error?.index).toBe(10);
    expect(scanTemplate('{1abc}').error).not.toBeNull();
  });

  it.each(cases)("gives the engine's answer for $template", (expected) => {
    const scan = scanTemplate(expected.template);
    expect(scan.error?.message ?? null).toBe(expected.error);
    if (expected.variables !== null) expect(scan.variables).toEqual(expected.variables);
  });
});

describe('portsFor', () => {
  it('uses the static ports of ordinary types', () => {
    expect(portsFor(spec('vector.search'), {}).inputs.map((port) => port.name)).toEqual([
      'query',
      'retriever',
    ]);
  });

  it('derives prompt inputs from the template, typed text', () => {
    const ports = portsFor(spec('prompt.template'), { template: 'Answer {question} from {context}' });
    expect(ports.inputs.map((port) => [port.name, port.type])).toEqual([
      ['question', 'text'],
      ['context', 'text'],
    ]);
    expect(ports.outputs.map((port) => port.name)).toEqual(['prompt']);
    expect(portsFor(spec('prompt.template'), {}).inputs).toEqual([]);
  });

  it('derives router outputs from its rules plus the default route', () => {
    const router = spec('logic.router');
    expect(portsFor(router, {}).outputs.map((port) => port.name)).toEqual(['default']);
    const ports = portsFor(router, {
      rules: [
        { route: 'billing', kind: 'contains', value: 'invoice' },
        { route: 'tech', kind: 'contains', value: 'error' },
        { route: 'billing', kind: 'regex', value: 'refund' },
      ],
      default_route: 'other',
    });
    expect(ports.outputs.map((port) => [port.name, port.type])).toEqual([
      ['billing', 'any'],
      ['tech', 'any'],
      ['other', 'any'],
    ]);
  });
});
