/** The editor toolbar's Share button and its dialog. */
import { Button } from '@mantine/core';
import { Share2 } from 'lucide-react';
import { useState } from 'react';

import { useEditorStore } from '../canvas/context';
import { ShareDialog } from './ShareDialog';

export function ShareButton({ workflowId }: { workflowId: string }) {
  const [opened, setOpened] = useState(false);
  const name = useEditorStore((state) => state.meta.name);
  return (
    <>
      <Button variant="default" leftSection={<Share2 size={16} />} onClick={() => setOpened(true)}>
        Share
      </Button>
      <ShareDialog
        workflowId={workflowId}
        workflowName={name}
        opened={opened}
        onClose={() => setOpened(false)}
      />
    </>
  );
}
