/** Dropping a workflow file on a page (the editor's canvas) imports it as a new workflow. */
import { useNavigate } from 'react-router';

import { JsonFileDrop } from './JsonFileDrop';
import { useImportFlow } from './useImportFlow';

export function ImportOnDrop() {
  const navigate = useNavigate();
  const flow = useImportFlow((workflow) => navigate(`/workflows/${workflow.id}`));
  return (
    <>
      <JsonFileDrop onFile={(file) => void flow.start(file)} />
      {flow.element}
    </>
  );
}
