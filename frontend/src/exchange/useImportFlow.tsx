/**
 * Importing a file, from the file picker or a drop: read it, ask the server for a
 * preview, then show the preview dialog — or, when the server refuses the file, every
 * problem it found.
 */
import { useState, type ReactNode } from 'react';

import { ApiError } from '../api/errors';
import type { Workflow } from '../api/types';
import { ImportProblemsModal } from '../pages/workflow-list/ImportProblemsModal';
import { previewImport } from './api';
import { ImportDialog, type PreviewedFile } from './ImportDialog';
import { readJsonFile } from './readJsonFile';

export interface ImportFlow {
  start: (file: File) => Promise<void>;
  pending: boolean;
  /** The dialogs; render once. */
  element: ReactNode;
}

export function useImportFlow(onImported: (workflow: Workflow) => void): ImportFlow {
  const [pending, setPending] = useState(false);
  const [previewed, setPreviewed] = useState<PreviewedFile | null>(null);
  const [failure, setFailure] = useState<{ file: string; error: ApiError } | null>(null);

  const start = async (file: File) => {
    setPending(true);
    setFailure(null);
    try {
      const source = await readJsonFile(file);
      const preview = await previewImport(source);
      setPreviewed({ fileName: file.name, source, preview });
    } catch (error) {
      setFailure({ file: file.name, error: asApiError(error) });
    } finally {
      setPending(false);
    }
  };

  const element = (
    <>
      <ImportDialog
        file={previewed}
        onClose={() => setPreviewed(null)}
        onImported={(workflow) => {
          setPreviewed(null);
          onImported(workflow);
        }}
      />
      <ImportProblemsModal failure={failure} onClose={() => setFailure(null)} />
    </>
  );
  return { start, pending, element };
}

const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError
    ? error
    : new ApiError({ status: 0, title: 'Import failed', detail: String(error) });
