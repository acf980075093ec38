import { describe, expect, it } from 'vitest';

import { catalogue } from '../test/catalogue';
import { nodeTitle, portsCompatible, searchCatalogue } from './catalogue';

describe('catalogue', () => {
  it('indexes every type and groups categories in building order', () => {
    expect(catalogue.byType.get('model.chat')?.title).toBe('Chat model');
    expect(catalogue.categories.map(([category]) => category).slice(0, 3)).toEqual([
      'Input / Output',
      'Prompts',
      'Models',
    ]);
  });

  it('follows the server compatibility table', () => {
    expect(portsCompatible(catalogue, 'text', 'messages')).toBe(true);
    expect(portsCompatible(catalogue, 'messages', 'text')).toBe(false);
    expect(portsCompatible(catalogue, 'documents', 'any')).toBe(true);
    expect(portsCompatible(catalogue, 'text', 'documents')).toBe(false);
  });

  it('searches type id, title and description', () => {
    expect(searchCatalogue(catalogue, 'chat')[0]?.type).toBe('model.chat');
    expect(searchCatalogue(catalogue, 'vector.up').map((spec) => spec.type)).toEqual(['vector.upsert']);
    expect(searchCatalogue(catalogue, 'recursive').map((spec) => spec.type)).toContain('data.splitter');
    expect(searchCatalogue(catalogue, 'zzz')).toEqual([]);
  });

  it('names nodes by label, else title, else type id', () => {
    expect(nodeTitle(catalogue, 'model.chat', '  ')).toBe('Chat model');
    expect(nodeTitle(catalogue, 'model.chat', 'Answerer')).toBe('Answerer');
    expect(nodeTitle(catalogue, 'vendor.x')).toBe('vendor.x');
  });
});
