/**
 * Dropping a .json file anywhere on the page starts an import. Listens on the document
 * (so it needs no place in the layout) and shows an overlay while a file is dragged over.
 * Drags that carry no files (palette items, text) are left alone.
 */
import { Overlay, Stack, Text } from '@mantine/core';
import { FileUp } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';

import { isJsonFile } from './readJsonFile';
import classes from './exchange.module.css';

const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;

export function JsonFileDrop({ onFile }: { onFile: (file: File) => void }) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const latest = useRef(onFile);
  latest.current = onFile;

  useEffect(() => {
    const enter = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      depth.current += 1;
      setDragging(true);
    };
    const leave = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    };
    const over = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault(); // allow the drop (and keep the browser from opening the file)
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const drop = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth.current = 0;
      setDragging(false);
      // Any other file is passed on too: reading it fails with a message the person sees.
      const files = Array.from(event.dataTransfer?.files ?? []);
      const file = files.find(isJsonFile) ?? files[0];
      if (file) latest.current(file);
    };
    document.addEventListener('dragenter', enter);
    document.addEventListener('dragleave', leave);
    document.addEventListener('dragover', over);
    document.addEventListener('drop', drop);
    return () => {
      document.removeEventListener('dragenter', enter);
      document.removeEventListener('dragleave', leave);
      document.removeEventListener('dragover', over);
      document.removeEventListener('drop', drop);
    };
  }, []);

  if (!dragging) return null;
  return (
    <Overlay fixed blur={2} backgroundOpacity={0.35} zIndex={400} className={classes.dropOverlay}>
      <Stack align="center" gap="xs" className={classes.dropMessage} role="status">
        <FileUp size={40} strokeWidth={1.6} aria-hidden />
        <Text fw={600}>Drop a workflow file to import it</Text>
        <Text size="sm" c="dimmed">
          Nodeloom, Langflow or Flowise JSON
        </Text>
      </Stack>
    </Overlay>
  );
}
