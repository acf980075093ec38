/** "Import": pick a .json export; the server checks it and any problems are listed. */
import { Button, FileButton } from '@mantine/core';
import { Upload } from 'lucide-react';
import { useRef, useState } from 'react';

import { ApiError } from '../../api/errors';
import type { Workflow, WorkflowDocument } from '../../api/types';
import { useImportWorkflow } from '../../api/workflows';
import { ImportProblemsModal } from './ImportProblemsModal';

export function ImportButton({ onImported }: { onImported: (workflow: Workflow) => void }) {
  const importWorkflow = useImportWorkflow();
  const [failure, setFailure] = useState<{ file: string; error: ApiError } | null>(null);
  const resetRef = useRef<() => void>(null);

  const handleFile = async (file: File | null) => {
    resetRef.current?.();
    if (!file) return;
    let document: WorkflowDocument;
    try {
      document = JSON.parse(await file.text()) as WorkflowDocument;
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      setFailure({
        file: file.name,
        error: new ApiError({
          status: 400,
          title: 'Not a JSON file',
          detail: `The file could not be read as JSON: ${reason}`,
        }),
      });
      return;
    }
    importWorkflow.mutate(document, {
      onSuccess: onImported,
      onError: (error) =>
        setFailure({
          file: file.name,
          error:
            error instanceof ApiError
              ? error
              : new ApiError({ status: 0, title: 'Import failed', detail: String(error) }),
        }),
    });
  };

  return (
    <>
      <FileButton onChange={handleFile} accept="application/json,.json" resetRef={resetRef}>
        {(props) => (
          <Button
            {...props}
            variant="default"
            leftSection={<Upload size={16} />}
            loading={importWorkflow.isPending}
          >
            Import
          </Button>
        )}
      </FileButton>
      <ImportProblemsModal failure={failure} onClose={() => setFailure(null)} />
    </>
  );
}
