/** The import preview: what importing a file (Nodeloom, Langflow, Flowise) would create. */
import { api, unwrap } from '../api/client';
import type { operations } from '../api/schema';

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;

export type ImportPreview = JsonOf<operations['previewImport']['responses'][200]>;
export type NeededCredential = ImportPreview['credentials_needed'][number];
export type SourceFormat = ImportPreview['source_format'];

/** Convert and check `source` on the server, with `credentialMap` applied; nothing is stored. */
export const previewImport = (source: unknown, credentialMap: Record<string, string> = {}) =>
  unwrap(
    api.POST('/api/v1/workflows/import/preview', {
      body: { source, credential_map: credentialMap },
    }),
  );

export const FORMAT_NAMES: Record<SourceFormat, string> = {
  nodeloom: 'Nodeloom',
  langflow: 'Langflow',
  flowise: 'Flowise',
};
