/**
 * "Import": pick (or drop on the page) a Nodeloom, Langflow or Flowise file; the server
 * previews what it would create, and the person maps credentials before importing.
 */
import { Button, FileButton } from '@mantine/core';
import { Upload } from 'lucide-react';
import { useRef } from 'react';

import type { Workflow } from '../../api/types';
import { JsonFileDrop } from '../../exchange/JsonFileDrop';
import { useImportFlow } from '../../exchange/useImportFlow';

export function ImportButton({ onImported }: { onImported: (workflow: Workflow) => void }) {
  const flow = useImportFlow(onImported);
  const resetRef = useRef<() => void>(null);

  const handleFile = (file: File | null) => {
    resetRef.current?.();
    if (file) void flow.start(file);
  };

  return (
    <>
      <FileButton onChange={handleFile} accept="application/json,.json" resetRef={resetRef}>
        {(props) => (
          <Button {...props} variant="default" leftSection={<Upload size={16} />} loading={flow.pending}>
            Import
          </Button>
        )}
      </FileButton>
      <JsonFileDrop onFile={handleFile} />
      {flow.element}
    </>
  );
}
